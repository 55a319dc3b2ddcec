package dqn

import (
	"errors"
	"fmt"
	"math"
)

// Config holds every hyperparameter of a DQN run. Reference() gives the
// values of the OneFlow port; Yenchenlin() and Fast() are the alternatives
// the notebook discusses.
type Config struct {
	Name string // preset name, logged with the run ("reference", "yenchenlin", "fast")
	Net  string // Q-network: "reference" (QNet, the port's) or "small" (SmallQNet, about 3 times faster to train)

	// Learning.
	Gamma      float64 // discount of future rewards (GAMMA = 0.99)
	LR         float64 // Adam learning rate (0.0002)
	Beta1      float64 // Adam beta1 (0.9)
	Beta2      float64 // Adam beta2 (0.999, OneFlow's default)
	AdamEps    float64 // Adam epsilon (1e-8, OneFlow's default)
	BatchSize  int     // transitions per training iteration (BATCH_SIZE = 32)
	ReplaySize int     // transitions the replay memory keeps (MAX_REPLAY_MEMORY = 50,000)
	Observe    int     // environment steps before training starts (OBSERVE = 100)
	TargetSync int     // training iterations between copies of the online network to the target (UPDATE_TIME = 100)
	DoubleDQN  bool    // y = r + gamma*Q_target(s', argmax_a Q_online(s', a)) instead of max_a Q_target(s', a)
	NStep      int     // n-step returns: y = r_t + ... + gamma^(n-1) r_(t+n-1) + gamma^n max Q_target(s_(t+n)) (1: the reference)
	BNMomentum float64 // batch-norm running-statistics momentum, PyTorch convention (0.01: OneFlow's momentum 0.99)

	// Exploration: epsilon falls linearly from EpsilonStart to EpsilonEnd over
	// EpsilonSteps environment steps counted after Observe.
	EpsilonStart   float64 // initial epsilon (reference: 0; its comment says 0.005)
	EpsilonEnd     float64 // final epsilon (reference: 0; its comment says 0.001)
	EpsilonSteps   int     // environment steps of the linear decay (EXPLORE = 200,000)
	RandomFlapProb float64 // probability that a random (epsilon) action is a flap: 0.5 is the reference's uniform choice

	// Acting.
	Games     int // games the actor plays side by side, one batched forward pass per step (reference: 1)
	FrameSkip int // game frames per decision: the action is applied on the first, "do nothing" on the others, rewards summed (FRAME_PER_ACTION = 1)

	// Actor-learner balance.
	StepsPerUpdate float64 // environment steps per training iteration (0: one iteration per decision of the Games games, the nearest a sequential loop comes to the reference's free-running threads)

	// Evaluation, as Stable-Baselines3's EvalCallback.
	EvalEvery    int // environment steps between evaluations (0: never)
	EvalEpisodes int // greedy episodes per evaluation
	EvalMaxPipes int // an evaluation episode ends after this many pipes, so a perfect bird stops

	Seed int64 // seed of the weights, the games and the exploration
}

// Reference returns the hyperparameters of the OneFlow port (BrainDQNOneFlow.py):
// gamma 0.99, replay 50,000, batch 32, observe 100, target copy every 100
// iterations, Adam 2e-4/0.9 and epsilon 0 (the port trains greedily; its
// comments keep yenchenlin's 0.005 -> 0.001 around). One game, every frame a
// decision, one training iteration per decision.
func Reference() Config {
	return Config{
		Name: "reference", Net: NetReference,
		Gamma: 0.99, LR: 2e-4, Beta1: 0.9, Beta2: 0.999, AdamEps: 1e-8,
		BatchSize: 32, ReplaySize: 50000, Observe: 100, TargetSync: 100, BNMomentum: BNMomentum, NStep: 1,
		EpsilonStart: 0, EpsilonEnd: 0, EpsilonSteps: 200000, RandomFlapProb: 0.5,
		Games: 1, FrameSkip: 1,
		EvalEvery: 20000, EvalEpisodes: 5, EvalMaxPipes: 1000,
		Seed: 1,
	}
}

// Yenchenlin returns the reference with yenchenlin's exploration: epsilon
// 0.1 -> 0.0001 over 3,000,000 steps after 10,000 observed steps — the cure for
// "the bird flies to the top and dies", at the price of days of training.
func Yenchenlin() Config {
	c := Reference()
	c.Name = "yenchenlin"
	c.Observe = 10000
	c.EpsilonStart, c.EpsilonEnd, c.EpsilonSteps = 0.1, 0.0001, 3000000
	return c
}

// Fast returns the preset tuned to learn on a 2-core CPU in minutes: the same
// loss, batch and replay size as the reference, but
//   - SmallQNet, strided convolutions in place of full-resolution ones: a
//     training iteration about 3 times faster (0.12 s against 0.37 s on 2
//     cores), the actor's forward pass too;
//   - 8 games per forward pass and one decision every 2 frames;
//   - epsilon from 1 to 0.01 over 20,000 steps, with random actions that flap
//     12% of the time (about what keeps the bird level: a flap lifts it for 18
//     frames), not 50% (which flies it into the ceiling) — the reference's
//     epsilon 0 leaves the untrained network's whims as the only exploration;
//   - 3-step returns and a target copy every 50 iterations, so the -1 of a
//     crash reaches the decisions that caused it in few iterations;
//   - learning rate 5e-4 and batch-norm statistics that settle in tens of
//     iterations (PyTorch's momentum 0.1) rather than hundreds;
//   - 16 environment steps (two decisions of the 8 games) per training
//     iteration.
func Fast() Config {
	c := Reference()
	c.Name = "fast"
	c.Net = NetSmall
	c.LR = 5e-4
	c.Observe = 1000
	c.TargetSync = 50
	c.BNMomentum = 0.1
	c.NStep = 3
	c.EpsilonStart, c.EpsilonEnd, c.EpsilonSteps = 1, 0.01, 20000
	c.RandomFlapProb = 0.12
	c.Games = 8
	c.FrameSkip = 2
	c.StepsPerUpdate = 16
	c.EvalEvery = 8000
	c.EvalEpisodes = 4
	c.EvalMaxPipes = 1000
	return c
}

// Preset returns the named preset: "reference", "yenchenlin" or "fast".
func Preset(name string) (Config, error) {
	switch name {
	case "reference", "":
		return Reference(), nil
	case "yenchenlin":
		return Yenchenlin(), nil
	case "fast":
		return Fast(), nil
	}
	return Config{}, fmt.Errorf("dqn: unknown preset %q (want reference, yenchenlin or fast)", name)
}

// Validate reports every hyperparameter that is out of range, each by its
// field name.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("dqn config: "+format, args...))
		}
	}
	in := func(x, lo, hi float64) bool { return x >= lo && x <= hi } // false for NaN
	_, netErr := qNetwork(c.Net)
	check(c.Net != "" && netErr == nil, "Net = %q, want %q or %q", c.Net, NetReference, NetSmall)
	check(in(c.Gamma, 0, 1), "Gamma = %v, want a discount in [0, 1]", c.Gamma)
	check(in(c.LR, math.SmallestNonzeroFloat64, math.MaxFloat64), "LR = %v, want > 0", c.LR)
	check(in(c.Beta1, 0, 1) && c.Beta1 < 1, "Beta1 = %v, want in [0, 1)", c.Beta1)
	check(in(c.Beta2, 0, 1) && c.Beta2 < 1, "Beta2 = %v, want in [0, 1)", c.Beta2)
	check(in(c.AdamEps, math.SmallestNonzeroFloat64, math.MaxFloat64), "AdamEps = %v, want > 0", c.AdamEps)
	check(c.BatchSize >= 2, "BatchSize = %d, want >= 2 (batch norm needs a batch)", c.BatchSize)
	check(c.ReplaySize >= c.BatchSize, "ReplaySize = %d is smaller than BatchSize = %d", c.ReplaySize, c.BatchSize)
	check(c.ReplaySize <= 10_000_000, "ReplaySize = %d, above the 10,000,000 transitions supported", c.ReplaySize)
	check(c.Observe >= 0, "Observe = %d, want >= 0", c.Observe)
	check(in(c.BNMomentum, 0, 1) && c.BNMomentum > 0, "BNMomentum = %v, want in (0, 1]", c.BNMomentum)
	check(c.NStep >= 1 && c.NStep <= 100, "NStep = %d, want 1..100", c.NStep)
	check(c.TargetSync >= 1, "TargetSync = %d, want >= 1 training iteration", c.TargetSync)
	check(in(c.EpsilonStart, 0, 1), "EpsilonStart = %v, want a probability in [0, 1]", c.EpsilonStart)
	check(in(c.EpsilonEnd, 0, 1), "EpsilonEnd = %v, want a probability in [0, 1]", c.EpsilonEnd)
	check(c.EpsilonSteps >= 0, "EpsilonSteps = %d, want >= 0", c.EpsilonSteps)
	check(in(c.RandomFlapProb, 0, 1), "RandomFlapProb = %v, want a probability in [0, 1]", c.RandomFlapProb)
	check(c.Games >= 1 && c.Games <= 1024, "Games = %d, want 1..1024", c.Games)
	check(c.FrameSkip >= 1 && c.FrameSkip <= 8, "FrameSkip = %d, want 1..8", c.FrameSkip)
	check(in(c.StepsPerUpdate, 0, math.MaxFloat64), "StepsPerUpdate = %v, want >= 0 (0: one iteration per decision of the games)", c.StepsPerUpdate)
	check(c.EvalEvery >= 0, "EvalEvery = %d, want >= 0 (0: never)", c.EvalEvery)
	check(c.EvalEvery == 0 || c.EvalEpisodes >= 1, "EvalEpisodes = %d, want >= 1 when EvalEvery > 0", c.EvalEpisodes)
	check(c.EvalMaxPipes >= 1, "EvalMaxPipes = %d, want >= 1", c.EvalMaxPipes)
	return errors.Join(errs...)
}

// Epsilon returns the exploration probability after envSteps environment
// steps: EpsilonStart until Observe, then linear to EpsilonEnd over
// EpsilonSteps, then EpsilonEnd.
func (c Config) Epsilon(envSteps int64) float64 {
	t := envSteps - int64(c.Observe)
	if t <= 0 {
		return c.EpsilonStart
	}
	if c.EpsilonSteps == 0 || t >= int64(c.EpsilonSteps) {
		return c.EpsilonEnd
	}
	f := float64(t) / float64(c.EpsilonSteps)
	return c.EpsilonStart + f*(c.EpsilonEnd-c.EpsilonStart)
}
