package dqn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute"

	"github.com/arcade-go/arcade/envs/flappy"
)

// Actor plays cfg.Games games side by side with epsilon-greedy actions from
// its own Policy (one batched forward pass per step) and writes every
// transition into the replay memory. Train calls it between training
// iterations, from the same goroutine.
type Actor struct {
	cfg    Config
	replay *Replay
	policy *Policy
	pcg    *rand.PCG
	rng    *rand.Rand
	steps  int64 // decisions taken (summed over games)
	frames int64 // game frames played

	games   []*flappy.Game
	returns []float64       // return of each game's episode so far
	stacks  []FrameStack    // each game's state, as frames of the replay memory
	pending [][]pendingStep // per game, the last decisions not yet in the replay memory (n-step returns)
	obs     []float32       // [Games, 4, 64, 64]
	greedy  []int
	frame   flappy.Frame
}

// NewActor returns an actor with games seeded from cfg.Seed and round (so a
// resumed run plays new games), acting with weights w.
func NewActor(backend compute.Backend, cfg Config, replay *Replay, w *Weights, round int64) (*Actor, error) {
	p, err := NewPolicy(backend, w, cfg.Net, cfg.FrameSkip)
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(uint64(cfg.Seed), uint64(round)<<32|0xac7)
	a := &Actor{
		cfg: cfg, replay: replay, policy: p, pcg: pcg, rng: rand.New(pcg),
		games:   make([]*flappy.Game, cfg.Games),
		returns: make([]float64, cfg.Games),
		stacks:  make([]FrameStack, cfg.Games),
		pending: make([][]pendingStep, cfg.Games),
		obs:     make([]float32, cfg.Games*flappy.ObservationSize),
		greedy:  make([]int, cfg.Games),
	}
	for i := range a.games {
		a.games[i] = flappy.New(flappy.GameSeed(cfg.Seed+round*7919, i))
		a.startEpisode(i)
	}
	return a, nil
}

// SetWeights replaces the weights the actor plays with.
func (a *Actor) SetWeights(w *Weights) error { return a.policy.Load(w) }

// Steps returns the decisions taken so far (all games).
func (a *Actor) Steps() int64 { return a.steps }

// Frames returns the game frames played so far (all games).
func (a *Actor) Frames() int64 { return a.frames }

// startEpisode fills game i's stack with four copies of its first frame.
func (a *Actor) startEpisode(i int) {
	a.games[i].Observe(&a.frame)
	id := a.replay.PushFrame(&a.frame)
	a.stacks[i] = FrameStack{id, id, id, id}
	a.returns[i] = 0
}

// Step plays one decision in every game: epsilon-greedy actions, FrameSkip
// frames each (the action on the first, "do nothing" on the others, rewards
// summed, stopping at a crash), and one transition per game into the replay
// memory. It returns the episodes that ended (Steps counts game frames).
func (a *Actor) Step() ([]flappy.Episode, error) {
	for i, st := range a.stacks {
		if err := a.replay.StackToFloats(st, a.obs[i*flappy.ObservationSize:]); err != nil {
			return nil, err
		}
	}
	if err := a.policy.Greedy(a.obs, len(a.games), a.greedy); err != nil {
		return nil, err
	}
	eps := a.cfg.Epsilon(a.steps)
	var ended []flappy.Episode
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
		a.returns[i] += reward
		g.Observe(&a.frame)
		s := a.stacks[i]
		s2 := FrameStack{s[1], s[2], s[3], a.replay.PushFrame(&a.frame)}
		if err := a.store(i, pendingStep{s: s, action: action, reward: reward}, s2, done); err != nil {
			return nil, err
		}
		a.stacks[i] = s2
		if done {
			ended = append(ended, flappy.Episode{Game: i, Score: g.Score(), Steps: g.Steps(), Return: a.returns[i]})
			g.Restart()
			a.startEpisode(i)
		}
	}
	a.steps += int64(len(a.games))
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

// actorState is the part of an actor a checkpoint keeps.
type actorState struct {
	Steps  int64  `json:"steps"`
	Frames int64  `json:"frames"`
	RNG    []byte `json:"rng"`
}

func (a *Actor) state() (actorState, error) {
	b, err := a.pcg.MarshalBinary()
	if err != nil {
		return actorState{}, err
	}
	return actorState{Steps: a.steps, Frames: a.frames, RNG: b}, nil
}

func (a *Actor) setState(st actorState) error {
	if len(st.RNG) > 0 {
		if err := a.pcg.UnmarshalBinary(st.RNG); err != nil {
			return fmt.Errorf("dqn: restoring the actor's random state: %w", err)
		}
	}
	a.steps, a.frames = st.Steps, st.Frames
	return nil
}
