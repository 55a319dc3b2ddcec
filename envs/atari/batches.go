package atari

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
)

// BatchSize is the tutorial's BATCH_SIZE.
const BatchSize = 16

// MinMean is the tutorial's blank-frame filter: an observation is kept only
// if its mean pixel value (0..255 scale) is above it.
const MinMean = 0.01

// Batch is a batch of real frames for the GAN.
type Batch struct {
	// Images holds N images laid out [N,3,Size,Size] (NCHW, row-major),
	// scaled from 0..255 to [-1,1] by x*2/255-1.
	Images []float32
	// Labels[i] is the index in the Batcher's games (TutorialGames by
	// default: 0 breakout, 1 airraid, 2 pong) of the game image i comes from.
	Labels []int
	// N is the number of images, Size their side.
	N, Size int
}

// Shape returns the shape of Images: [N, 3, Size, Size].
func (b *Batch) Shape() []int { return []int{b.N, 3, b.Size, b.Size} }

// Image returns image i, [3,Size,Size], sharing memory with Images.
func (b *Batch) Image(i int) []float32 {
	n := 3 * b.Size * b.Size
	return b.Images[i*n : (i+1)*n]
}

// BatchConfig configures a Batcher; the zero value of a field means the
// tutorial's setting.
type BatchConfig struct {
	// Games to draw from; default TutorialGames (breakout, airraid, pong).
	Games []string
	// BatchSize is the images per batch; default 16. At least len(Games),
	// since the first batch starts with every game's reset frame.
	BatchSize int
	// ImageSize is the images' side; default 64.
	ImageSize int
	// Seed makes the whole stream repeatable.
	Seed uint64
}

func (c BatchConfig) withDefaults() BatchConfig {
	if len(c.Games) == 0 {
		c.Games = TutorialGames
	}
	if c.BatchSize == 0 {
		c.BatchSize = BatchSize
	}
	if c.ImageSize == 0 {
		c.ImageSize = ImageSize
	}
	return c
}

// Validate reports a setting that cannot work (after defaults are applied).
func (c BatchConfig) Validate() error {
	c = c.withDefaults()
	if c.BatchSize < len(c.Games) {
		return fmt.Errorf("atari: batch size %d smaller than the %d games (the first batch starts with each game's reset frame)", c.BatchSize, len(c.Games))
	}
	if c.ImageSize < 1 {
		return fmt.Errorf("atari: image size %d < 1", c.ImageSize)
	}
	for _, g := range c.Games {
		if _, err := NewGame(g); err != nil {
			return err
		}
	}
	return nil
}

// Batcher is the tutorial's iterate_batches: it holds one InputWrapper per
// game and a stream of batches. Like the original, the first batch starts
// with every game's reset frame; then each step picks a random game and a
// random action, keeps the observation only if its mean is above MinMean,
// hands out a batch when it is full, and resets a game that is over (its
// reset frame is not kept, as in the original). A Batcher is not safe for
// use by several goroutines at once.
type Batcher struct {
	// Kept and Dropped count the stepped observations kept and the ones the
	// blank-frame filter dropped.
	Kept, Dropped int

	cfg    BatchConfig
	envs   []*InputWrapper
	rng    *rand.Rand
	images []float32 // the batch being filled, [BatchSize,3,S,S]
	labels []int
}

// NewBatcher makes the games, resets them and puts their reset frames at the
// start of the first batch.
func NewBatcher(cfg BatchConfig) (*Batcher, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Games = slices.Clone(cfg.Games)
	b := &Batcher{cfg: cfg, rng: newRand(cfg.Seed, 100)}
	for i, name := range cfg.Games {
		w, err := NewInputWrapper(name, cfg.Seed*1000003+uint64(i))
		if err != nil {
			return nil, err
		}
		w.Size = cfg.ImageSize
		b.envs = append(b.envs, w)
	}
	for i, w := range b.envs { // batch = [e.reset() for e in envs]
		b.add(w.Reset(), i)
	}
	return b, nil
}

// Games returns the batcher's game names; labels index into it.
func (b *Batcher) Games() []string { return slices.Clone(b.cfg.Games) }

// Next returns the next batch of BatchSize images.
func (b *Batcher) Next() *Batch {
	for {
		i := b.rng.IntN(len(b.envs)) // e = next(env_gen)
		e := b.envs[i]
		obs, _, done := e.stepInto(e.SampleAction(b.rng))
		if Mean(obs) > MinMean {
			b.add(obs, i)
			b.Kept++
		} else {
			b.Dropped++
		}
		var out *Batch
		if len(b.labels) == b.cfg.BatchSize {
			out = &Batch{Images: b.images, Labels: b.labels, N: len(b.labels), Size: b.cfg.ImageSize}
			b.images, b.labels = nil, nil // batch.clear()
		}
		if done {
			e.Env.reset()
		}
		if out != nil {
			return out
		}
	}
}

// All returns the endless stream of batches, for a range loop:
//
//	for batch := range b.All() { ... }
func (b *Batcher) All() iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		for yield(b.Next()) {
		}
	}
}

// IterateBatches mirrors the tutorial's iterate_batches(envs) for the
// tutorial's three games: an endless stream of batches of 16 [3,64,64]
// images in [-1,1], repeatable for a seed.
func IterateBatches(seed uint64) iter.Seq[*Batch] {
	b, err := NewBatcher(BatchConfig{Seed: seed})
	if err != nil {
		panic(err) // the default configuration is valid
	}
	return b.All()
}

// add appends one observation (0..255) scaled to [-1,1].
func (b *Batcher) add(obs []float32, game int) {
	if b.images == nil {
		b.images = make([]float32, 0, b.cfg.BatchSize*len(obs))
		b.labels = make([]int, 0, b.cfg.BatchSize)
	}
	n := len(b.images)
	b.images = b.images[:n+len(obs)]
	scale(b.images[n:], obs)
	b.labels = append(b.labels, game)
}

// scale writes obs (0..255) scaled to [-1,1] as the tutorial does:
// x*2/255-1 in float32.
func scale(dst, obs []float32) {
	dst = dst[:len(obs)]
	for i, v := range obs {
		dst[i] = v*2/255 - 1
	}
}

// RealFrames returns n frames of the named game at native size, played with
// random actions and kept only if not blank. Between two frames the game runs
// 4 to 24 random steps, and it starts after up to 200, so the frames are
// varied rather than consecutive. Repeatable for a seed.
func RealFrames(game string, n int, seed uint64) ([]*Frame, error) {
	s, err := newSampler(game, seed)
	if err != nil {
		return nil, err
	}
	out := make([]*Frame, 0, max(n, 0))
	for range n {
		out = append(out, s.next().Clone())
	}
	return out, nil
}

// NewFrameSource returns RealFrames' frames one per call, as many as wanted,
// without holding them: the first n calls give RealFrames(game, n, seed).
// The frame is the game's screen, valid until the next call (Clone keeps it).
func NewFrameSource(game string, seed uint64) (next func() *Frame, err error) {
	s, err := newSampler(game, seed)
	if err != nil {
		return nil, err
	}
	return s.next, nil
}

// LabelledFrames returns n real images of the tutorial's games, in turn
// (breakout, airraid, pong, breakout, ...), for image grids and for training
// a classifier that tells the games apart: images is [n,3,64,64] (NCHW) in
// [-1,1] like a Batch, labels[i] indexes TutorialGames. Frames are sampled
// as in RealFrames. Repeatable for a seed.
func LabelledFrames(n int, seed uint64) (images []float32, labels []int) {
	var samplers []*sampler
	for i, g := range TutorialGames {
		s, err := newSampler(g, seed*1000003+uint64(i))
		if err != nil {
			panic(err) // the tutorial's games exist
		}
		samplers = append(samplers, s)
	}
	plane := 3 * ImageSize * ImageSize
	images = make([]float32, 0, max(n, 0)*plane)
	labels = make([]int, 0, max(n, 0))
	var obs []float32
	for i := range n {
		g := i % len(samplers)
		obs = Preprocess(samplers[g].next(), ImageSize, obs)
		images = images[:len(images)+plane]
		scale(images[len(images)-plane:], obs)
		labels = append(labels, g)
	}
	return images, labels
}

// sampler plays one game with random actions and hands out spaced frames.
type sampler struct {
	env *Env
	rng *rand.Rand
}

func newSampler(game string, seed uint64) (*sampler, error) {
	e, err := NewEnv(game, seed)
	if err != nil {
		return nil, err
	}
	s := &sampler{env: e, rng: newRand(seed, 200)}
	e.reset()
	for k := s.rng.IntN(201); k > 0; k-- {
		s.step()
	}
	return s, nil
}

func (s *sampler) step() {
	if _, done := s.env.step(s.env.SampleAction(s.rng)); done {
		s.env.reset()
	}
}

// next returns the env's screen (valid until the next call) after 4 to 24
// random steps and after any blank frames.
func (s *sampler) next() *Frame {
	for k := 4 + s.rng.IntN(21); k > 0; k-- {
		s.step()
	}
	for s.env.screen.Mean() <= MinMean {
		s.step()
	}
	return s.env.screen
}
