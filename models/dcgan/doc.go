// Package dcgan is the Atari GAN of Maxim Lapan's "Deep Reinforcement
// Learning Hands-On", chapter 3 (03_atari_gan.py), in GoMLX: a DCGAN whose
// generator learns to draw 64x64 frames of Breakout, Air Raid and Pong.
//
// Files, one job each:
//
//	config.go       Config: the tutorial's hyperparameters, validated; Identity for checkpoints
//	model.go        Generator, Discriminator (the tutorial's nn.Sequential, layer for layer), BCE, Describe (print(net))
//	gan.go          GAN: both networks, two Adam optimizers, the one-graph training step, Generate, Save/Load
//	train.go        Train: the tutorial's loop, resumable, with periodic/interrupt checkpoints and hooks for a live view
//	quality.go      Quality: a game classifier, the Fréchet distance in its feature space, and game shares
//	live.go         Live: a notebook's live view of a run (grids, losses, quality curves) through Train's hooks
//	interop.go      StateDict, Export/Import: PyTorch state_dicts as safetensors (pipe.N.*, conv_pipe.N.*)
//	safetensors.go  a small safetensors reader/writer
//	images.go       WriteGridPNG (make_grid(normalize=True))
//
// The training step follows the tutorial exactly: z ~ N(0,1); the generator
// runs once; the discriminator step minimises BCE(D(real),1)+BCE(D(fake),0)
// with the fake detached (StopGradient), and only the discriminator's
// variables are updated; the generator step minimises BCE(D(fake),1) through
// the just-updated discriminator, and only the generator's variables are
// updated. Adam(lr 1e-4, betas 0.5/0.999, eps 1e-8), one per network. Both
// steps are one compiled graph. The discriminator runs three times per step
// in training mode, so its BatchNorm statistics update three times, as in
// PyTorch.
//
// Parity: testdata/gen_vectors.py runs the tutorial's own PyTorch modules
// with deterministic weights; parity_test.go checks the outputs, both losses,
// the weight changes and the BatchNorm statistics (tolerances in that file).
// testdata/check_export.py checks that `arcade export gan` loads into the
// tutorial's modules with load_state_dict(strict=True).
//
// Variable names: "/generator/pipe/<N>/<weight|bias|running_mean|...>" and
// "/discriminator/conv_pipe/<N>/...", so they map one to one onto the
// tutorial's state_dict keys "pipe.N.weight" and "conv_pipe.N.weight".
package dcgan
