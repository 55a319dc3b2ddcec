package main

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/arcade-go/arcade/models/dcgan"
	"github.com/arcade-go/arcade/models/nn"
)

// The two networks are the model packages' own (models/dcgan, models/dqn),
// so the bench times the product's layers; torch_step.py builds their PyTorch
// twins from ../shared/REFERENCE.md.

// dcganStep: the tutorial's iteration. Inputs real [16,3,64,64], z [16,100,1,1].
func dcganStep(s *model.Scope, real, z *Node) []*Node {
	g := real.Graph()
	s.Store().SetTraining(g, true)
	gs, ds := s.At("generator"), s.At("discriminator")
	adam := func() optimizer.Interface {
		return optimizer.Adam().LearningRate(1e-4).Betas(0.5, 0.999).Epsilon(1e-8).Done()
	}
	cfg := dcgan.DefaultConfig()
	fake := dcgan.Generator(gs, z, nil, cfg) // [16,3,64,64]
	dLoss := Add(dcgan.BCE(dcgan.Discriminator(ds, real, nil, cfg), 1), dcgan.BCE(dcgan.Discriminator(ds, StopGradient(fake), nil, cfg), 0))
	adam().UpdateGraph(ds, g, dLoss)
	gLoss := dcgan.BCE(dcgan.Discriminator(ds, fake, nil, cfg), 1)
	adam().UpdateGraph(gs, g, gLoss)
	return []*Node{dLoss, gLoss}
}

// dqnStep returns the DQN learner's step on network qnet: target forward
// (inference mode) on s', then the online update. Inputs s [32,4,64,64],
// a [32] int32, r [32], terminal [32], s' [32,4,64,64].
func dqnStep(qnet func(w, bn *model.Scope, x *Node) *Node) func(sc *model.Scope, in []*Node) []*Node {
	return func(sc *model.Scope, in []*Node) []*Node {
		st, a, r, term, s2 := in[0], in[1], in[2], in[3], in[4]
		g := st.Graph()
		sc.Store().SetTraining(g, true)
		online, target := sc.At("online"), sc.At("target")
		// As the reference and models/dqn: the target network shares the online
		// network's batch norms and runs them in inference mode.
		nn.SetTraining(online, g, false)
		qNext := qnet(target, online, s2) // [32,2]
		y := StopGradient(Add(r, Mul(MulScalar(OneMinus(term), 0.99), ReduceMax(qNext, 1))))
		nn.SetTraining(online, g, true)
		q := qnet(online, online, st) // [32,2]
		qa := ReduceSum(Mul(q, OneHot(a, 2, dtypes.Float32)), 1)
		loss := ReduceAllMean(Square(Sub(y, qa)))
		optimizer.Adam().LearningRate(2e-4).Betas(0.9, 0.999).Epsilon(1e-8).Done().UpdateGraph(online, g, loss)
		return []*Node{loss}
	}
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
	case "dqn-small":
		const b = 32
		c1 := conv(b, 16, 16, 4, 32, 8)
		c2 := conv(b, 8, 8, 32, 64, 4)
		f1 := 2 * float64(b*4096*256)
		f2 := 2 * float64(b*256*2)
		fwd := c1 + c2 + f1 + f2
		return (fwd + fwd + c1 + 2*(c2+f1+f2)) / 1e9
	}
	return 0
}
