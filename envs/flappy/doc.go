// Package flappy is Flappy Bird with the physics of the game the Flappy Bird
// DQN tutorials learn on (yenchenlin's DeepLearningFlappyBird,
// game/wrapped_flappy_bird.py, which the OneFlow port copies), drawn with our
// own art, and fast enough that a DQN's training is limited by learning.
//
// A [Game] steps one frame at a time: [Game.Step] takes the action (flap or
// not) and returns the preprocessed 64x64 binary [Frame], the reward (+0.1
// alive, +1 when a pipe's middle passes the bird's middle, -1 on a crash) and
// whether the episode ended. After a crash the game keeps the crash state
// until the next step, which starts a new episode, as the reference does
// (it re-initialises itself inside the crashing frame_step).
//
// Two views of a state:
//
//   - [Game.Render] draws the 288x512 screen for people ([ThemeDay]) or with
//     the reference's black training background ([ThemeBlack]).
//   - [Game.Observe] writes the DQN observation: the reference preprocessing
//     (cv2.resize to 64x64 bilinear, BGR2GRAY, threshold >1 -> 255) of the
//     black-background screen, computed straight on the 64x64 grid. The test
//     TestFastObservationEqualsRenderThenResize shows it equals
//     render-then-[Preprocess] pixel for pixel.
//
// Orientation: our frames are upright images (row = screen y, column =
// screen x). The reference feeds the network pygame.surfarray.array3d, which
// is indexed [x][y], so its 64x64 frames are the transpose of ours (bilinear
// resizing acts on each axis separately, so the transpose commutes with it).
//
// A [Stack] keeps the last 4 frames and writes the network input [4,64,64]
// float32 with -128 for background and 127 for objects (the threshold's 0/255
// minus 128), oldest frame first, as the OneFlow port stacks them.
// A [Batch] steps N games together for an actor, deterministically for a
// seed, and restarts finished games at once.
package flappy
