// Package dqn is the Flappy Bird deep Q-network of the OneFlow port
// (Ldpe2G/DeepLearningForFun, BrainDQNOneFlow.py) of the CS229/CS231n report
// and of yenchenlin's DeepLearningFlappyBird, trained by a loop that reads
// like CleanRL's dqn.py. The game, its frames and its episodes are
// envs/flappy's.
//
// Files, one job each:
//
//   - config.go: the hyperparameters (Config), the presets reference,
//     yenchenlin and fast, and their validation;
//   - qnet.go: the Q-networks, layer by layer with PyTorch's names: the
//     port's (QNet) and the fast preset's smaller one (SmallQNet);
//   - learner.go: the online and target networks, Adam, the training step;
//   - policy.go: a network that plays (Policy) and host copies of weights;
//   - replay.go: the replay memory, frames stored once, bit-packed;
//   - actor.go: epsilon-greedy play in a batch of games, n-step transitions;
//   - play.go: the greedy-episode runner of evaluation and Play;
//   - train.go: Train, the loop (act, store, sample, learn, sync, evaluate,
//     save), and its checkpoints;
//   - history.go: progress reports, evaluations, ReadHistory;
//   - policyio.go: the best model, LoadPolicy;
//   - live.go: a notebook's live view of a run (Live);
//   - bench.go: actor and learner throughput, sequential and concurrent.
//
// models/dqn/study (make dqn-study) trains the fast preset on three seeds, and
// with the port's network on one, for 20 minutes each and times them to a mean
// of 100 pipes; models/dqn/README.md has its table.
package dqn
