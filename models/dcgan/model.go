package dcgan

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/models/nn"
)

// Scope names of the two networks in the store. The layers below them are
// named like the tutorial's nn.Sequential members, so the variable
// "/generator/pipe/3/weight" is the state_dict key "pipe.3.weight" of the
// tutorial's Generator and "/discriminator/conv_pipe/2/weight" is
// "conv_pipe.2.weight" of its Discriminator.
const (
	GeneratorScope     = "generator"
	DiscriminatorScope = "discriminator"
)

// Generator is the tutorial's Generator: it turns z [B,LatentSize,1,1] into
// images [B,Channels,64,64] in [-1,1]. s is the generator's scope.
//
// With cfg.Conditional, games [B,NumGames] (one-hot) picks the game of each
// sample: after every BatchNorm a per-game scale and shift (conditional
// BatchNorm, as in Miyato & Koyama 2018; variables "game_scale" [NumGames,C],
// starting at 0, and "game_shift" [NumGames,C], starting at N(0,1): with
// Adam's steps of about the learning rate, shifts that start at 0 would take
// thousands of steps to tell the games apart). games is ignored otherwise
// (nil is fine).
//
// With GenFilters = 64 (the tutorial) the shapes are as commented.
func Generator(s *model.Scope, z, games *Node, cfg Config) *Node {
	pipe := s.At("pipe")
	f := cfg.GenFilters
	norm := func(name string, x *Node) *Node { // BatchNorm, then the game's scale and shift
		x = nn.BatchNorm2D(pipe.At("%s", name), x)
		if cfg.Conditional {
			x = gameAffine(pipe.At("%s", name), x, games)
		}
		return nn.ReLU(x)
	}
	x := nn.ConvTranspose2D(pipe.At("0"), z, f*8, 4, 1, 0, true)          // [B,512,4,4]
	x = norm("1", x)                                                      // pipe.1 BN, pipe.2 ReLU
	x = nn.ConvTranspose2D(pipe.At("3"), x, f*4, 4, 2, 1, true)           // [B,256,8,8]
	x = norm("4", x)                                                      // pipe.4 BN, pipe.5 ReLU
	x = nn.ConvTranspose2D(pipe.At("6"), x, f*2, 4, 2, 1, true)           // [B,128,16,16]
	x = norm("7", x)                                                      // pipe.7 BN, pipe.8 ReLU
	x = nn.ConvTranspose2D(pipe.At("9"), x, f, 4, 2, 1, true)             // [B,64,32,32]
	x = norm("10", x)                                                     // pipe.10 BN, pipe.11 ReLU
	x = nn.ConvTranspose2D(pipe.At("12"), x, cfg.Channels, 4, 2, 1, true) // [B,3,64,64]
	return Tanh(x)                                                        // pipe.13
}

// gameAffine is the per-game part of a conditional BatchNorm: x*(1+scale[game]) + shift[game].
func gameAffine(s *model.Scope, x, games *Node) *Node {
	g := x.Graph()
	c := x.Shape().Dimensions[1]
	k := games.Shape().Dimensions[1]
	zero := func(g *Graph, sh shapes.Shape) *Node { return Zeros(g, sh) }
	normal := func(g *Graph, sh shapes.Shape) *Node { return s.RandomNormal(g, sh) }
	scale := s.WithInitializer(zero).VariableWithShape("game_scale", shapes.Make(x.DType(), k, c)).NodeValue(g)
	shift := s.WithInitializer(normal).VariableWithShape("game_shift", shapes.Make(x.DType(), k, c)).NodeValue(g)
	return nn.ChannelAffine(x, OnePlus(MatMul(games, scale)), MatMul(games, shift)) // [B,C] each
}

// Discriminator is the tutorial's Discriminator: it maps images
// [B,Channels,64,64] to the probability [B] that each is real. s is the
// discriminator's scope. Its hidden activations are the tutorial's plain ReLU,
// or LeakyReLU when cfg.LeakySlope > 0.
//
// With cfg.SpectralNorm > 0 every convolution's weight is spectrally
// normalised and the BatchNorm layers go (layers keep the tutorial's
// indices). With cfg.Conditional, games [B,NumGames] (one-hot) adds the
// projection term <embed[game], sum over space of the last features> to the
// logit (the projection discriminator of Miyato & Koyama 2018; variable
// "conv_pipe/embed/weight" [NumGames, 8*DiscrFilters], starting at 0).
func Discriminator(s *model.Scope, x, games *Node, cfg Config) *Node {
	pipe := s.At("conv_pipe")
	f := cfg.DiscrFilters
	if cfg.SpectralNorm > 0 {
		pipe.SetParam(nn.ParamSpectralNorm, cfg.SpectralNorm)
	}
	act := func(x *Node) *Node {
		if cfg.LeakySlope > 0 {
			return nn.LeakyReLU(x, cfg.LeakySlope)
		}
		return nn.ReLU(x)
	}
	norm := func(name string, x *Node) *Node {
		if cfg.SpectralNorm > 0 {
			return x
		}
		return nn.BatchNorm2D(pipe.At("%s", name), x)
	}
	batch := x.Shape().Dimensions[0]
	x = act(nn.Conv2D(pipe.At("0"), x, f, 4, 2, 1, true))                  // [B,64,32,32], conv_pipe.1 ReLU
	x = act(norm("3", nn.Conv2D(pipe.At("2"), x, f*2, 4, 2, 1, true)))     // [B,128,16,16]
	x = act(norm("6", nn.Conv2D(pipe.At("5"), x, f*4, 4, 2, 1, true)))     // [B,256,8,8]
	h := act(norm("9", nn.Conv2D(pipe.At("8"), x, f*8, 4, 2, 1, true)))    // [B,512,4,4]
	logit := Reshape(nn.Conv2D(pipe.At("11"), h, 1, 4, 1, 0, true), batch) // [B]
	if cfg.Conditional {
		zero := func(g *Graph, sh shapes.Shape) *Node { return Zeros(g, sh) }
		embed := pipe.At("embed").WithInitializer(zero).
			VariableWithShape("weight", shapes.Make(h.DType(), NumGames, f*8)).NodeValue(h.Graph())
		features := ReduceSum(h, 2, 3)                                        // [B,512]
		logit = Add(logit, ReduceSum(Mul(MatMul(games, embed), features), 1)) // [B]
	}
	return Sigmoid(logit) // conv_pipe.12, view(-1): [B]
}

// BCE is torch.nn.BCELoss on probabilities p [B] against a constant label
// in [0,1] (1 real, 0 fake, 0.9 a smoothed real): the mean of
// -(label*log(p) + (1-label)*log(1-p)), each log clamped at -100 as PyTorch does.
func BCE(p *Node, label float64) *Node {
	clamp := func(l *Node) *Node { return Max(l, Scalar(p.Graph(), p.DType(), -100)) }
	var l *Node
	switch label {
	case 1:
		l = clamp(Log(p))
	case 0:
		l = clamp(Log(OneMinus(p)))
	default:
		l = Add(MulScalar(clamp(Log(p)), label), MulScalar(clamp(Log(OneMinus(p))), 1-label))
	}
	return Neg(ReduceAllMean(l))
}

// Describe prints the two networks the way PyTorch's print(net) does. The
// stable recipe's additions print as the PyTorch modules that would hold
// them: a spectrally normalised conv as SpectralNorm(Conv2d(...)) (its
// BatchNorms are gone; layers keep the tutorial's indices), a conditional
// BatchNorm as ConditionalBatchNorm2d, and D's game projection as an
// Embedding.
func Describe(cfg Config) string {
	var b strings.Builder
	gf, df, lat, ch := cfg.GenFilters, cfg.DiscrFilters, cfg.LatentSize, cfg.Channels
	act := "ReLU()"
	if cfg.LeakySlope > 0 {
		act = fmt.Sprintf("LeakyReLU(negative_slope=%g)", cfg.LeakySlope)
	}
	conv := func(kind string, in, out, stride, pad int) string {
		s := fmt.Sprintf("%s(%d, %d, kernel_size=(4, 4), stride=(%d, %d)", kind, in, out, stride, stride)
		if pad > 0 {
			s += fmt.Sprintf(", padding=(%d, %d)", pad, pad)
		}
		return s + ")"
	}
	dconv := func(in, out, stride, pad int) string {
		if cfg.SpectralNorm > 0 {
			return "SpectralNorm(" + conv("Conv2d", in, out, stride, pad) + ")"
		}
		return conv("Conv2d", in, out, stride, pad)
	}
	bn := func(n int) string {
		return fmt.Sprintf("BatchNorm2d(%d, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", n)
	}
	gbn := func(n int) string {
		if cfg.Conditional {
			return fmt.Sprintf("ConditionalBatchNorm2d(%d, games=%d, eps=1e-05, momentum=0.1)", n, NumGames)
		}
		return bn(n)
	}
	dbn := func(n int) string {
		if cfg.SpectralNorm > 0 {
			return ""
		}
		return bn(n)
	}
	write := func(name, pipe string, layers []string, extra string) {
		fmt.Fprintf(&b, "%s(\n  (%s): Sequential(\n", name, pipe)
		for i, l := range layers {
			if l != "" {
				fmt.Fprintf(&b, "    (%d): %s\n", i, l)
			}
		}
		b.WriteString("  )\n" + extra + ")\n")
	}
	embed := ""
	if cfg.Conditional {
		embed = fmt.Sprintf("  (embed): Embedding(%d, %d)\n", NumGames, df*8)
	}
	write("Discriminator", "conv_pipe", []string{
		dconv(ch, df, 2, 1), act,
		dconv(df, df*2, 2, 1), dbn(df * 2), act,
		dconv(df*2, df*4, 2, 1), dbn(df * 4), act,
		dconv(df*4, df*8, 2, 1), dbn(df * 8), act,
		dconv(df*8, 1, 1, 0), "Sigmoid()",
	}, embed)
	write("Generator", "pipe", []string{
		conv("ConvTranspose2d", lat, gf*8, 1, 0), gbn(gf * 8), "ReLU()",
		conv("ConvTranspose2d", gf*8, gf*4, 2, 1), gbn(gf * 4), "ReLU()",
		conv("ConvTranspose2d", gf*4, gf*2, 2, 1), gbn(gf * 2), "ReLU()",
		conv("ConvTranspose2d", gf*2, gf, 2, 1), gbn(gf), "ReLU()",
		conv("ConvTranspose2d", gf, ch, 2, 1), "Tanh()",
	}, "")
	return b.String()
}
