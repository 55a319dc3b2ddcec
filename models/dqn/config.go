// Package dqn is the Flappy Bird deep Q-network of the OneFlow port
// (Ldpe2G/DeepLearningForFun, BrainDQNOneFlow.py) of the CS229/CS231n report
// and of yenchenlin's DeepLearningFlappyBird: the Q-network, a compact replay
// memory, a target network, an actor that plays a batch of games beside a
// learner that trains in its own goroutine, greedy evaluation and resumable
// training.
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
	StepsPerUpdate float64 // target ratio of environment steps per training iteration; the faster side waits (0: both run freely, as the reference's threads)

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
// decision, actor and learner free-running.
func Reference() Config {
	return Config{
		Name:  "reference",
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

// Fast returns the preset tuned to learn on a 2-core CPU within the hour,
// where one training iteration costs about a second: the same network, loss,
// batch and replay size, but
//   - 8 games per forward pass and one decision every 2 frames;
//   - epsilon from 1 to 0.01 over 20,000 steps, with random actions that flap
//     12% of the time (about what keeps the bird level: a flap lifts it for 18
//     frames), not 50% (which flies it into the ceiling) — the reference's
//     epsilon 0 leaves the untrained network's whims as the only exploration;
//   - 3-step returns and a target copy every 50 iterations, so the -1 of a
//     crash reaches the decisions that caused it in few iterations;
//   - learning rate 5e-4 and batch-norm statistics that settle in tens of
//     iterations (PyTorch's momentum 0.1) rather than hundreds;
//   - at most 16 environment steps per training iteration, so the learner
//     gets the CPU.
func Fast() Config {
	c := Reference()
	c.Name = "fast"
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

// Validate reports the first hyperparameter that is out of range.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("dqn config: "+format, args...) }
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case !finite(c.Gamma) || c.Gamma < 0 || c.Gamma > 1:
		return bad("Gamma = %v, want a discount in [0, 1]", c.Gamma)
	case !finite(c.LR) || c.LR <= 0:
		return bad("LR = %v, want > 0", c.LR)
	case !finite(c.Beta1) || c.Beta1 < 0 || c.Beta1 >= 1:
		return bad("Beta1 = %v, want in [0, 1)", c.Beta1)
	case !finite(c.Beta2) || c.Beta2 < 0 || c.Beta2 >= 1:
		return bad("Beta2 = %v, want in [0, 1)", c.Beta2)
	case !finite(c.AdamEps) || c.AdamEps <= 0:
		return bad("AdamEps = %v, want > 0", c.AdamEps)
	case c.BatchSize < 2:
		return bad("BatchSize = %d, want >= 2 (batch norm needs a batch)", c.BatchSize)
	case c.ReplaySize < c.BatchSize:
		return bad("ReplaySize = %d is smaller than BatchSize = %d", c.ReplaySize, c.BatchSize)
	case c.Observe < 0:
		return bad("Observe = %d, want >= 0", c.Observe)
	case !finite(c.BNMomentum) || c.BNMomentum <= 0 || c.BNMomentum > 1:
		return bad("BNMomentum = %v, want in (0, 1]", c.BNMomentum)
	case c.NStep < 1 || c.NStep > 100:
		return bad("NStep = %d, want 1..100", c.NStep)
	case c.TargetSync < 1:
		return bad("TargetSync = %d, want >= 1 training iteration", c.TargetSync)
	case !finite(c.EpsilonStart) || c.EpsilonStart < 0 || c.EpsilonStart > 1:
		return bad("EpsilonStart = %v, want a probability in [0, 1]", c.EpsilonStart)
	case !finite(c.EpsilonEnd) || c.EpsilonEnd < 0 || c.EpsilonEnd > 1:
		return bad("EpsilonEnd = %v, want a probability in [0, 1]", c.EpsilonEnd)
	case c.EpsilonSteps < 0:
		return bad("EpsilonSteps = %d, want >= 0", c.EpsilonSteps)
	case !finite(c.RandomFlapProb) || c.RandomFlapProb < 0 || c.RandomFlapProb > 1:
		return bad("RandomFlapProb = %v, want a probability in [0, 1]", c.RandomFlapProb)
	case c.Games < 1 || c.Games > 1024:
		return bad("Games = %d, want 1..1024", c.Games)
	case c.FrameSkip < 1 || c.FrameSkip > 8:
		return bad("FrameSkip = %d, want 1..8", c.FrameSkip)
	case !finite(c.StepsPerUpdate) || c.StepsPerUpdate < 0:
		return bad("StepsPerUpdate = %v, want >= 0 (0: no limit)", c.StepsPerUpdate)
	case c.EvalEvery < 0:
		return bad("EvalEvery = %d, want >= 0 (0: never)", c.EvalEvery)
	case c.EvalEvery > 0 && c.EvalEpisodes < 1:
		return bad("EvalEpisodes = %d, want >= 1 when EvalEvery > 0", c.EvalEpisodes)
	case c.EvalMaxPipes < 1:
		return bad("EvalMaxPipes = %d, want >= 1", c.EvalMaxPipes)
	}
	if c.ReplaySize > 10_000_000 {
		return errors.New("dqn config: ReplaySize above 10,000,000 transitions is not supported")
	}
	return nil
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
