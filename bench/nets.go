package main

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/arcade-go/arcade/models/nn"
)

// The two networks of ../shared/REFERENCE.md, built on models/nn exactly as
// the PyTorch twins in torch_step.py.

// generator: z [B,100,1,1] -> [B,3,64,64].
func generator(s *model.Scope, z *Node) *Node {
	x := nn.ReLU(nn.BatchNorm2D(s.In("bn0"), nn.ConvTranspose2D(s.In("c0"), z, 512, 4, 1, 0, true))) // [B,512,4,4]
	x = nn.ReLU(nn.BatchNorm2D(s.In("bn1"), nn.ConvTranspose2D(s.In("c1"), x, 256, 4, 2, 1, true)))  // [B,256,8,8]
	x = nn.ReLU(nn.BatchNorm2D(s.In("bn2"), nn.ConvTranspose2D(s.In("c2"), x, 128, 4, 2, 1, true)))  // [B,128,16,16]
	x = nn.ReLU(nn.BatchNorm2D(s.In("bn3"), nn.ConvTranspose2D(s.In("c3"), x, 64, 4, 2, 1, true)))   // [B,64,32,32]
	return Tanh(nn.ConvTranspose2D(s.In("c4"), x, 3, 4, 2, 1, true))                                 // [B,3,64,64]
}

// discriminator: [B,3,64,64] -> probabilities [B]. s is reused (Shared) on
// every call, so the variables are the same.
func discriminator(s *model.Scope, x *Node) *Node {
	s = s.ResetVisited()
	b := x.Shape().Dimensions[0]
	x = nn.ReLU(nn.Conv2D(s.In("c0"), x, 64, 4, 2, 1, true))                               // [B,64,32,32]
	x = nn.ReLU(nn.BatchNorm2D(s.In("bn1"), nn.Conv2D(s.In("c1"), x, 128, 4, 2, 1, true))) // [B,128,16,16]
	x = nn.ReLU(nn.BatchNorm2D(s.In("bn2"), nn.Conv2D(s.In("c2"), x, 256, 4, 2, 1, true))) // [B,256,8,8]
	x = nn.ReLU(nn.BatchNorm2D(s.In("bn3"), nn.Conv2D(s.In("c3"), x, 512, 4, 2, 1, true))) // [B,512,4,4]
	x = nn.Conv2D(s.In("c4"), x, 1, 4, 1, 0, true)                                         // [B,1,1,1]
	return Reshape(Sigmoid(x), b)
}

// bce is torch.nn.BCELoss against a constant label.
func bce(p *Node, label float64) *Node {
	var l *Node
	if label == 1 {
		l = Log(p)
	} else {
		l = Log(OneMinus(p))
	}
	return Neg(ReduceAllMean(Max(l, Scalar(p.Graph(), p.DType(), -100))))
}

// dcganStep: the tutorial's iteration. Inputs real [16,3,64,64], z [16,100,1,1].
func dcganStep(s *model.Scope, real, z *Node) []*Node {
	g := real.Graph()
	s.Store().SetTraining(g, true)
	gs, ds := s.At("generator"), s.At("discriminator")
	adam := func() optimizer.Interface {
		return optimizer.Adam().LearningRate(1e-4).Betas(0.5, 0.999).Epsilon(1e-8).Done()
	}
	fake := generator(gs, z)
	dLoss := Add(bce(discriminator(ds, real), 1), bce(discriminator(ds, StopGradient(fake)), 0))
	adam().UpdateGraph(ds, g, dLoss)
	gLoss := bce(discriminator(ds, fake), 1)
	adam().UpdateGraph(gs, g, gLoss)
	return []*Node{dLoss, gLoss}
}

// qnet: the Flappy Bird DQN, [B,4,64,64] -> [B,2].
func qnet(s *model.Scope, x *Node) *Node {
	s = s.ResetVisited()
	x = nn.MaxPool2D(nn.ReLU(nn.BatchNorm2D(s.In("bn1"), nn.Conv2D(s.In("conv1"), x, 32, 3, 1, 1, true))), 2) // [B,32,32,32]
	x = nn.MaxPool2D(nn.ReLU(nn.BatchNorm2D(s.In("bn2"), nn.Conv2D(s.In("conv2"), x, 32, 3, 1, 1, true))), 2) // [B,32,16,16]
	x = nn.Flatten(x)                                                                                         // [B,8192]
	x = nn.ReLU(nn.BatchNorm1D(s.In("bn3"), nn.Linear(s.In("fc1"), x, 512, true)))                            // [B,512]
	return nn.Linear(s.In("fc2"), x, 2, true)                                                                 // [B,2]
}

// dqnStep: target forward (inference mode) on s', then the online update.
// Inputs s [32,4,64,64], a [32] int32, r [32], terminal [32], s' [32,4,64,64].
func dqnStep(sc *model.Scope, in []*Node) []*Node {
	st, a, r, term, s2 := in[0], in[1], in[2], in[3], in[4]
	g := st.Graph()
	sc.Store().SetTraining(g, true)
	online, target := sc.At("online"), sc.At("target")
	nn.SetTraining(target, g, false)
	qNext := qnet(target, s2)
	y := StopGradient(Add(r, Mul(MulScalar(OneMinus(term), 0.99), ReduceMax(qNext, 1))))
	q := qnet(online, st)
	qa := ReduceSum(Mul(q, OneHot(a, 2, dtypes.Float32)), 1)
	loss := ReduceAllMean(Square(Sub(y, qa)))
	optimizer.Adam().LearningRate(2e-4).Betas(0.9, 0.999).Epsilon(1e-8).Done().UpdateGraph(online, g, loss)
	return []*Node{loss}
}

// gflopPerStep returns the multiply-adds x 2 of one training step, counting
// convolutions and matmuls only: forward, input gradient (except for the
// network's input) and weight gradient.
func gflopPerStep(modelName string) float64 {
	conv := func(b, ho, wo, cin, cout, k int) float64 { return 2 * float64(b*ho*wo*cin*cout*k*k) }
	switch modelName {
	case "dcgan":
		const b = 16
		// Transposed convs: MACs = B*H*W*Cin*Cout*k*k on the input grid.
		g := conv(b, 1, 1, 100, 512, 4) + conv(b, 4, 4, 512, 256, 4) + conv(b, 8, 8, 256, 128, 4) +
			conv(b, 16, 16, 128, 64, 4) + conv(b, 32, 32, 64, 3, 4)
		dFirst := conv(b, 32, 32, 3, 64, 4)
		dRest := conv(b, 16, 16, 64, 128, 4) + conv(b, 8, 8, 128, 256, 4) + conv(b, 4, 4, 256, 512, 4) + conv(b, 1, 1, 512, 1, 4)
		d := dFirst + dRest
		// D step: D(real) and D(fake) forward + weight grads + input grads past the first layer;
		// G forward; G step: D forward + both grads (to reach G), G weight + input grads.
		dStep := 2 * (d + d + dRest)
		gStep := 3*d + 2*g
		return (dStep + g + gStep) / 1e9
	case "dqn":
		const b = 32
		c1 := conv(b, 64, 64, 4, 32, 3)
		c2 := conv(b, 32, 32, 32, 32, 3)
		f1 := 2 * float64(b*8192*512)
		f2 := 2 * float64(b*512*2)
		fwd := c1 + c2 + f1 + f2
		return (fwd + // target network
			fwd + // online forward
			c1 + 2*(c2+f1+f2)) / 1e9 // weight grads, input grads past conv1
	}
	return 0
}
