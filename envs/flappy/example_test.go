package flappy_test

import (
	"fmt"

	"github.com/arcade-go/arcade/envs/flappy"
)

// One game, stepped by hand: the fall of a bird that never flaps.
func ExampleGame() {
	g := flappy.New(1)
	for {
		frame, reward, done := g.Step(false)
		if done {
			s := g.State()
			fmt.Printf("crash after %d steps at y=%v, reward %v, %d pixels on\n", s.Steps, s.BirdY, reward, frame.Count())
			break
		}
	}
	// Output: crash after 19 steps at y=380.48, reward -1, 1323 pixels on
}

// An actor's loop over a batch: the network input of every game, the
// actions, the rewards, and the frames a replay memory would keep.
func ExampleBatch() {
	b, err := flappy.NewBatch(4, 7)
	if err != nil {
		panic(err)
	}
	obs := make([]float32, b.Len()*flappy.ObservationSize) // [4, 4, 64, 64]
	flaps := make([]bool, b.Len())
	episodes := 0
	for step := 0; step < 200; step++ {
		_ = b.Observations(obs) // feed obs to the Q-network here
		for i := range flaps {
			flaps[i] = step%9 == i // a stand-in for argmax Q
		}
		_, dones, err := b.Step(flaps)
		if err != nil {
			panic(err)
		}
		for i := range dones {
			_ = b.Frame(i)[:] // the new 64x64 frame (bytes 0/1) for a replay memory
		}
		episodes += len(b.Finished())
	}
	fmt.Println("episodes finished:", episodes)
	// Output: episodes finished: 16
}
