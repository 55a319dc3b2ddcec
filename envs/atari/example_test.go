package atari_test

import (
	"fmt"

	"github.com/arcade-go/arcade/envs/atari"
)

// The tutorial's data loop: batches of 16 real frames, [16,3,64,64] in [-1,1].
func ExampleBatcher() {
	batches, err := atari.NewBatcher(atari.BatchConfig{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	batch := batches.Next()
	fmt.Println(batch.Shape(), len(batch.Images))
	fmt.Println("games:", batches.Games())
	fmt.Println("first labels:", batch.Labels[:3]) // each game's reset frame
	// Output:
	// [16 3 64 64] 196608
	// games: [breakout airraid pong]
	// first labels: [0 1 2]
}

// A -v0 environment played with random actions, as gym.make("Pong-v0").
func ExampleEnv() {
	env, err := atari.NewEnv("Pong-v0", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	obs := env.Reset()
	fmt.Println(env.Name(), env.NumActions(), obs.Height, obs.Width)
	obs, reward, done, err := env.Step(2) // RIGHT: paddle up
	fmt.Println(obs.Height, reward, done, err)
	// Output:
	// pong 6 210 160
	// 210 0 false <nil>
}
