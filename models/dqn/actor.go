package dqn

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute"

	"github.com/arcade-go/arcade/envs/flappy"
)

// EpisodeStat is one finished training or evaluation episode.
type EpisodeStat struct {
	Score  int `json:"score"`  // pipes passed
	Frames int `json:"frames"` // game frames played
}

// Actor plays cfg.Games games side by side with epsilon-greedy actions from
// a Policy, and writes every transition into the replay memory. It acts with
// the weights last published to it (SetWeights), which the learner replaces
// as a whole (an atomic pointer swap), so acting never blocks training.
type Actor struct {
	cfg    Config
	replay *Replay
	policy *Policy
	next   atomic.Pointer[Weights]

	mu       sync.Mutex // guards rng, the counters and episodes (snapshots from other goroutines)
	pcg      *rand.PCG
	rng      *rand.Rand
	steps    int64 // decisions taken (summed over games)
	frames   int64 // game frames played
	episodes []EpisodeStat

	games   []*flappy.Game
	stacks  []FrameStack
	pending [][]pendingStep // per game, the last decisions not yet in the replay memory (n-step returns)
	obs     []float32
	greedy  []int
	frame   flappy.Frame
}

// NewActor returns an actor with games seeded from cfg.Seed and round (so a
// resumed run plays new games), acting with weights w.
func NewActor(backend compute.Backend, cfg Config, replay *Replay, w *Weights, round int64) (*Actor, error) {
	p, err := NewPolicy(backend, w)
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(uint64(cfg.Seed), uint64(round)<<32|0xac7)
	a := &Actor{
		cfg: cfg, replay: replay, policy: p, pcg: pcg, rng: rand.New(pcg),
		games:   make([]*flappy.Game, cfg.Games),
		stacks:  make([]FrameStack, cfg.Games),
		pending: make([][]pendingStep, cfg.Games),
		obs:     make([]float32, cfg.Games*StackFrames*FramePixels),
		greedy:  make([]int, cfg.Games),
	}
	a.next.Store(w)
	for i := range a.games {
		a.games[i] = flappy.New(flappy.GameSeed(cfg.Seed+round*7919, i))
		if err := a.startEpisode(i); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// SetWeights publishes new acting weights; the actor picks them up before its next step.
func (a *Actor) SetWeights(w *Weights) { a.next.Store(w) }

// startEpisode fills game i's stack with four copies of its first frame.
func (a *Actor) startEpisode(i int) error {
	a.games[i].Observe(&a.frame)
	id, err := a.replay.PushFrame(a.frame[:])
	if err != nil {
		return err
	}
	a.stacks[i] = FrameStack{id, id, id, id}
	return nil
}

// Step plays one decision in every game: epsilon-greedy actions, FrameSkip
// frames each (the action on the first, "do nothing" on the others, rewards
// summed, stopping at a crash), and one transition per game into the replay
// memory. It returns the episodes that ended.
func (a *Actor) Step() ([]EpisodeStat, error) {
	if err := a.policy.Load(a.next.Load()); err != nil {
		return nil, err
	}
	n := len(a.games)
	for i := range n {
		if err := a.replay.StackToFloats(a.stacks[i], a.obs[i*StackFrames*FramePixels:(i+1)*StackFrames*FramePixels]); err != nil {
			return nil, err
		}
	}
	if err := a.policy.Greedy(a.obs, n, a.greedy); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	eps := a.cfg.Epsilon(a.steps)
	var ended []EpisodeStat
	for i, g := range a.games {
		action := a.greedy[i]
		if eps > 0 && a.rng.Float64() < eps {
			action = 0
			if a.rng.Float64() < a.cfg.RandomFlapProb {
				action = 1
			}
		}
		var reward float64
		done := false
		for k := 0; k < a.cfg.FrameSkip && !done; k++ {
			r, d := g.Advance(action == 1 && k == 0)
			reward += r
			done = d
			a.frames++
		}
		g.Observe(&a.frame)
		id, err := a.replay.PushFrame(a.frame[:])
		if err != nil {
			return nil, err
		}
		s := a.stacks[i]
		s2 := FrameStack{s[1], s[2], s[3], id}
		if err := a.store(i, pendingStep{s: s, action: action, reward: reward}, s2, done); err != nil {
			return nil, err
		}
		a.stacks[i] = s2
		if done {
			ep := EpisodeStat{Score: g.Score(), Frames: g.Steps()}
			ended = append(ended, ep)
			a.episodes = append(a.episodes, ep)
			g.Restart()
			if err := a.startEpisode(i); err != nil {
				return nil, err
			}
		}
	}
	a.steps += int64(n)
	return ended, nil
}

// pendingStep is a decision whose n-step transition is not complete yet.
type pendingStep struct {
	s      FrameStack
	action int
	reward float64
}

// store queues game i's decision p, which led to s2, and writes the
// transitions that are complete: with n-step returns (cfg.NStep = n) the one
// of the decision n steps back, r_t + gamma r_(t+1) + ... + gamma^(n-1)
// r_(t+n-1) towards s_(t+n); at a crash all queued ones, towards the crash.
// With n = 1 that is the reference's (s, a, r, s', terminal).
func (a *Actor) store(i int, p pendingStep, s2 FrameStack, done bool) error {
	q := append(a.pending[i], p)
	ret := func(from int) float64 {
		r := 0.0
		for k := len(q) - 1; k >= from; k-- {
			r = q[k].reward + a.cfg.Gamma*r
		}
		return r
	}
	switch {
	case done:
		for j := range q {
			if err := a.replay.AddN(q[j].s, q[j].action, float32(ret(j)), s2, true, len(q)-j); err != nil {
				return err
			}
		}
		q = q[:0]
	case len(q) >= a.cfg.NStep:
		if err := a.replay.AddN(q[0].s, q[0].action, float32(ret(0)), s2, false, len(q)); err != nil {
			return err
		}
		q = append(q[:0], q[1:]...)
	}
	a.pending[i] = q
	return nil
}

// Steps returns the decisions taken so far (all games).
func (a *Actor) Steps() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.steps
}

// actorState is the part of an actor a checkpoint keeps.
type actorState struct {
	Steps  int64  `json:"steps"`
	Frames int64  `json:"frames"`
	RNG    []byte `json:"rng"`
}

func (a *Actor) state() (actorState, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, err := a.pcg.MarshalBinary()
	if err != nil {
		return actorState{}, err
	}
	return actorState{Steps: a.steps, Frames: a.frames, RNG: b}, nil
}

func (a *Actor) setState(st actorState) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(st.RNG) > 0 {
		if err := a.pcg.UnmarshalBinary(st.RNG); err != nil {
			return fmt.Errorf("dqn: restoring the actor's random state: %w", err)
		}
	}
	a.steps, a.frames = st.Steps, st.Frames
	return nil
}

// takeEpisodes returns and forgets the training episodes finished since the last call.
func (a *Actor) takeEpisodes() []EpisodeStat {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := a.episodes
	a.episodes = nil
	return e
}

// Evaluate plays episodes greedy episodes with the policy p (the SB3
// EvalCallback's deterministic evaluation), all at once as a batch, each
// ending at a crash or after maxPipes pipes, deciding every frameSkip frames.
// Games are seeded from seed. It returns each episode's score and length.
func Evaluate(p *Policy, episodes, maxPipes, frameSkip int, seed int64, stop func() bool) ([]EpisodeStat, error) {
	if episodes < 1 || maxPipes < 1 || frameSkip < 1 {
		return nil, fmt.Errorf("dqn: Evaluate(episodes=%d, maxPipes=%d, frameSkip=%d): all must be >= 1", episodes, maxPipes, frameSkip)
	}
	type live struct {
		g     *flappy.Game
		stack flappy.Stack
		idx   int
	}
	var frame flappy.Frame
	games := make([]*live, episodes)
	for i := range games {
		g := flappy.New(flappy.GameSeed(seed, i))
		g.Observe(&frame)
		games[i] = &live{g: g, idx: i}
		games[i].stack.Reset(&frame)
	}
	out := make([]EpisodeStat, episodes)
	obs := make([]float32, episodes*StackFrames*FramePixels)
	acts := make([]int, episodes)
	for len(games) > 0 {
		if stop != nil && stop() {
			return nil, errStopped
		}
		n := len(games)
		for i, lg := range games {
			if err := lg.stack.WriteFloat32(obs[i*StackFrames*FramePixels:]); err != nil {
				return nil, err
			}
		}
		if err := p.Greedy(obs[:n*StackFrames*FramePixels], n, acts[:n]); err != nil {
			return nil, err
		}
		keep := games[:0]
		for i, lg := range games {
			done := false
			for k := 0; k < frameSkip && !done; k++ {
				_, done = lg.g.Advance(acts[i] == 1 && k == 0)
				if lg.g.Score() >= maxPipes {
					done = true
				}
			}
			if done {
				out[lg.idx] = EpisodeStat{Score: lg.g.Score(), Frames: lg.g.Steps()}
				continue
			}
			lg.g.Observe(&frame)
			lg.stack.Push(&frame)
			keep = append(keep, lg)
		}
		games = keep
	}
	return out, nil
}

var errStopped = fmt.Errorf("dqn: evaluation stopped")
