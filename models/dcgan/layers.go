package dcgan

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// layer is one member of a network's nn.Sequential, as the tutorial declares
// it. generatorLayers and discriminatorLayers are the one declaration of the
// two networks: Generator and Discriminator build their graphs from it,
// Describe prints it, and StateDict names its variables.
type layer struct {
	index   int // position in the pipe: "pipe.<index>.weight"
	kind    layerKind
	in, out int // channels (convolutions); out for a batch norm
	stride  int // convolutions (kernel 4)
	pad     int
}

type layerKind int

const (
	convTranspose layerKind = iota // torch.nn.ConvTranspose2d, kernel 4
	conv                           // torch.nn.Conv2d, kernel 4 (spectrally normalised with Config.SpectralNorm)
	batchNorm                      // torch.nn.BatchNorm2d (conditional on the game with Config.Conditional, in G)
	relu                           // ReLU, or LeakyReLU in D when Config.LeakySlope > 0
	tanh
	sigmoid
)

// kernelSize is the side of every convolution's kernel in both networks.
const kernelSize = 4

// generatorLayers declares the tutorial's Generator (shapes for GenFilters
// 64, latent 100, 3 channels; B is the batch).
func generatorLayers(cfg Config) []layer {
	f, lat, ch := cfg.GenFilters, cfg.LatentSize, cfg.Channels
	return []layer{
		{index: 0, kind: convTranspose, in: lat, out: f * 8, stride: 1}, // [B,512,4,4]
		{index: 1, kind: batchNorm, out: f * 8},
		{index: 2, kind: relu},
		{index: 3, kind: convTranspose, in: f * 8, out: f * 4, stride: 2, pad: 1}, // [B,256,8,8]
		{index: 4, kind: batchNorm, out: f * 4},
		{index: 5, kind: relu},
		{index: 6, kind: convTranspose, in: f * 4, out: f * 2, stride: 2, pad: 1}, // [B,128,16,16]
		{index: 7, kind: batchNorm, out: f * 2},
		{index: 8, kind: relu},
		{index: 9, kind: convTranspose, in: f * 2, out: f, stride: 2, pad: 1}, // [B,64,32,32]
		{index: 10, kind: batchNorm, out: f},
		{index: 11, kind: relu},
		{index: 12, kind: convTranspose, in: f, out: ch, stride: 2, pad: 1}, // [B,3,64,64]
		{index: 13, kind: tanh},
	}
}

// discriminatorLayers declares the tutorial's Discriminator (shapes for
// DiscrFilters 64); with spectral norm its BatchNorms go and the other layers
// keep their indices.
func discriminatorLayers(cfg Config) []layer {
	f, ch := cfg.DiscrFilters, cfg.Channels
	ls := []layer{
		{index: 0, kind: conv, in: ch, out: f, stride: 2, pad: 1}, // [B,64,32,32]
		{index: 1, kind: relu},
		{index: 2, kind: conv, in: f, out: f * 2, stride: 2, pad: 1}, // [B,128,16,16]
		{index: 3, kind: batchNorm, out: f * 2},
		{index: 4, kind: relu},
		{index: 5, kind: conv, in: f * 2, out: f * 4, stride: 2, pad: 1}, // [B,256,8,8]
		{index: 6, kind: batchNorm, out: f * 4},
		{index: 7, kind: relu},
		{index: 8, kind: conv, in: f * 4, out: f * 8, stride: 2, pad: 1}, // [B,512,4,4]
		{index: 9, kind: batchNorm, out: f * 8},
		{index: 10, kind: relu},
		{index: 11, kind: conv, in: f * 8, out: 1, stride: 1}, // [B,1,1,1]
		{index: 12, kind: sigmoid},
	}
	if cfg.SpectralNorm > 0 {
		kept := ls[:0]
		for _, l := range ls {
			if l.kind != batchNorm {
				kept = append(kept, l)
			}
		}
		ls = kept
	}
	return ls
}

// networkLayers returns the declaration of net (GeneratorScope or
// DiscriminatorScope) and the name of its pipe.
func networkLayers(cfg Config, net string) (pipe string, layers []layer, err error) {
	switch net {
	case GeneratorScope:
		return "pipe", generatorLayers(cfg), nil
	case DiscriminatorScope:
		return "conv_pipe", discriminatorLayers(cfg), nil
	}
	return "", nil, fmt.Errorf("dcgan: unknown network %q (want %q or %q)", net, GeneratorScope, DiscriminatorScope)
}

// describe is the layer as PyTorch's print(net) shows it; the stable
// recipe's additions show as the modules that would hold them.
func (l layer) describe(cfg Config, net string) string {
	convText := func(kind string) string {
		s := fmt.Sprintf("%s(%d, %d, kernel_size=(%d, %d), stride=(%d, %d)", kind, l.in, l.out, kernelSize, kernelSize, l.stride, l.stride)
		if l.pad > 0 {
			s += fmt.Sprintf(", padding=(%d, %d)", l.pad, l.pad)
		}
		return s + ")"
	}
	switch l.kind {
	case convTranspose:
		return convText("ConvTranspose2d")
	case conv:
		if cfg.SpectralNorm > 0 {
			return "SpectralNorm(" + convText("Conv2d") + ")"
		}
		return convText("Conv2d")
	case batchNorm:
		if net == GeneratorScope && cfg.Conditional {
			return fmt.Sprintf("ConditionalBatchNorm2d(%d, games=%d, eps=1e-05, momentum=0.1)", l.out, NumGames)
		}
		return fmt.Sprintf("BatchNorm2d(%d, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", l.out)
	case relu:
		if net == DiscriminatorScope && cfg.LeakySlope > 0 {
			return fmt.Sprintf("LeakyReLU(negative_slope=%g)", cfg.LeakySlope)
		}
		return "ReLU()"
	case tanh:
		return "Tanh()"
	case sigmoid:
		return "Sigmoid()"
	}
	panic(fmt.Sprintf("dcgan: unknown layer kind %d", l.kind))
}

// Describe prints the two networks the way PyTorch's print(net) does. The
// stable recipe's additions print as the PyTorch modules that would hold
// them: a spectrally normalised conv as SpectralNorm(Conv2d(...)) (its
// BatchNorms are gone; layers keep the tutorial's indices), a conditional
// BatchNorm as ConditionalBatchNorm2d, and D's game projection as an
// Embedding.
func Describe(cfg Config) string {
	var b strings.Builder
	for _, net := range []string{DiscriminatorScope, GeneratorScope} {
		pipe, layers, _ := networkLayers(cfg, net)
		name := map[string]string{GeneratorScope: "Generator", DiscriminatorScope: "Discriminator"}[net]
		fmt.Fprintf(&b, "%s(\n  (%s): Sequential(\n", name, pipe)
		for _, l := range layers {
			fmt.Fprintf(&b, "    (%d): %s\n", l.index, l.describe(cfg, net))
		}
		b.WriteString("  )\n")
		if net == DiscriminatorScope && cfg.Conditional {
			fmt.Fprintf(&b, "  (embed): Embedding(%d, %d)\n", NumGames, cfg.DiscrFilters*8)
		}
		b.WriteString(")\n")
	}
	return b.String()
}

// StateDict lists, in PyTorch's order, the state_dict entries of the
// tutorial's Generator (net = GeneratorScope) or Discriminator
// (net = DiscriminatorScope) for this configuration. The stable recipe adds
// its own entries (the layout is documented in models/dcgan/README.md):
// "pipe.N.game_scale"/"game_shift" [NumGames,C] beside each generator
// BatchNorm (Conditional), "conv_pipe.N.weight_u" [Cout] beside each
// discriminator weight and no discriminator BatchNorm (SpectralNorm; the
// weight is stored before normalisation), "conv_pipe.embed.weight"
// [NumGames, 8*DiscrFilters] (Conditional).
func StateDict(cfg Config, net string) ([]Entry, error) {
	pipe, layers, err := networkLayers(cfg, net)
	if err != nil {
		return nil, err
	}
	f32 := func(d ...int) shapes.Shape { return shapes.Make(dtypes.Float32, d...) }
	var out, games []Entry
	for _, l := range layers {
		key := func(name string) string { return fmt.Sprintf("%s.%d.%s", pipe, l.index, name) }
		k := kernelSize
		switch l.kind {
		case convTranspose: // weight [Cin, Cout, k, k]
			out = append(out, Entry{key("weight"), f32(l.in, l.out, k, k), true}, Entry{key("bias"), f32(l.out), true})
		case conv: // weight [Cout, Cin, k, k]
			out = append(out, Entry{key("weight"), f32(l.out, l.in, k, k), true}, Entry{key("bias"), f32(l.out), true})
			if cfg.SpectralNorm > 0 { // the power iteration's vector, a buffer
				out = append(out, Entry{key("weight_u"), f32(l.out), false})
			}
		case batchNorm:
			c := l.out
			out = append(out, Entry{key("weight"), f32(c), true}, Entry{key("bias"), f32(c), true},
				Entry{key("running_mean"), f32(c), false}, Entry{key("running_var"), f32(c), false},
				Entry{key("num_batches_tracked"), shapes.Make(dtypes.Int64), false})
			if net == GeneratorScope && cfg.Conditional {
				games = append(games, Entry{key("game_scale"), f32(NumGames, c), true}, Entry{key("game_shift"), f32(NumGames, c), true})
			}
		}
	}
	out = append(out, games...)
	if net == DiscriminatorScope && cfg.Conditional {
		out = append(out, Entry{pipe + ".embed.weight", f32(NumGames, cfg.DiscrFilters*8), true})
	}
	return out, nil
}
