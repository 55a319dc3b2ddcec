package dcgan

import (
	"fmt"

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
// The layers are declared in generatorLayers (layers.go), with their shapes.
func Generator(s *model.Scope, z, games *Node, cfg Config) *Node {
	pipe := s.At("pipe")
	x := z
	for _, l := range generatorLayers(cfg) {
		ls := pipe.At("%d", l.index)
		switch l.kind {
		case convTranspose:
			x = nn.ConvTranspose2D(ls, x, l.out, kernelSize, l.stride, l.pad, true)
		case batchNorm: // then the game's scale and shift
			x = nn.BatchNorm2D(ls, x)
			if cfg.Conditional {
				x = gameAffine(ls, x, games)
			}
		case relu:
			x = nn.ReLU(x)
		case tanh:
			x = Tanh(x)
		default:
			panic(fmt.Sprintf("dcgan.Generator: layer %d: unexpected kind %d", l.index, l.kind))
		}
	}
	return x // [B,3,64,64]
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
	if cfg.SpectralNorm > 0 {
		pipe.SetParam(nn.ParamSpectralNorm, cfg.SpectralNorm)
	}
	batch := x.Shape().Dimensions[0]
	var features *Node // the input of the last convolution: [B,512,4,4]
	for _, l := range discriminatorLayers(cfg) {
		ls := pipe.At("%d", l.index)
		switch l.kind {
		case conv:
			features = x
			x = nn.Conv2D(ls, x, l.out, kernelSize, l.stride, l.pad, true)
		case batchNorm:
			x = nn.BatchNorm2D(ls, x)
		case relu:
			if cfg.LeakySlope > 0 {
				x = nn.LeakyReLU(x, cfg.LeakySlope)
			} else {
				x = nn.ReLU(x)
			}
		case sigmoid: // on the logit [B] (view(-1)), plus the game's projection
			logit := Reshape(x, batch) // [B]
			if cfg.Conditional {
				zero := func(g *Graph, sh shapes.Shape) *Node { return Zeros(g, sh) }
				embed := pipe.At("embed").WithInitializer(zero).
					VariableWithShape("weight", shapes.Make(x.DType(), NumGames, cfg.DiscrFilters*8)).NodeValue(x.Graph())
				sum := ReduceSum(features, 2, 3)                                 // [B,512]
				logit = Add(logit, ReduceSum(Mul(MatMul(games, embed), sum), 1)) // [B]
			}
			x = Sigmoid(logit)
		default:
			panic(fmt.Sprintf("dcgan.Discriminator: layer %d: unexpected kind %d", l.index, l.kind))
		}
	}
	return x // [B]
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
