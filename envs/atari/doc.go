// Package atari draws Breakout, Pong and Air Raid frames for the Atari GAN
// tutorial (Lapan, "Deep Reinforcement Learning Hands-On", chapter 3).
//
// No ROM can be had here, so the three games are small remakes: each draws
// 210x160 RGB frames (Air Raid 250x160, as the real cartridge does) with the
// Atari NTSC palette, in the layout of the real game, and plays by rules
// simple but real enough that random actions produce the variety of screens
// the tutorial relies on: balls bounce, bricks break, points are scored,
// lives are lost, episodes end.
//
// The package has three layers, from the console up:
//
//   - [Game]: one console frame per Step, as an emulator gives it (a
//     ROM-backed source can implement the same interface later).
//     [NewGame] makes the remakes: "breakout", "pong", "airraid".
//   - [Env]: Gym's "-v0" semantics around a Game: a random frame skip of
//     2 to 4, sticky actions with probability 0.25, random no-op frames on
//     reset. Step returns (frame, reward, done, err).
//   - The tutorial's data pipeline: [Preprocess] / [InputWrapper] resize a
//     frame to 3x64x64 (channels first), and [Batcher] / [IterateBatches]
//     yield batches of 16 images in [-1,1] exactly as iterate_batches does.
//     [LabelledFrames] and [RealFrames] give real frames for image grids and
//     for the GAN's sample-quality classifier.
package atari
