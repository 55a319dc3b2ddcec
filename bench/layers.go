package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/models/nn"
)

// layerCase is one layer of the two networks, timed alone: forward, then the
// gradients w.r.t. its input and weights (torch_step.py --layers has the twin).
type layerCase struct {
	name string
	in   []int
	fn   func(s *model.Scope, x *Node) *Node
}

var layerCases = []layerCase{
	{"D.conv1 3->64 k4s2p1", []int{16, 3, 64, 64}, func(s *model.Scope, x *Node) *Node { return nn.Conv2D(s, x, 64, 4, 2, 1, true) }},
	{"D.conv2 64->128 k4s2p1", []int{16, 64, 32, 32}, func(s *model.Scope, x *Node) *Node { return nn.Conv2D(s, x, 128, 4, 2, 1, true) }},
	{"D.conv3 128->256 k4s2p1", []int{16, 128, 16, 16}, func(s *model.Scope, x *Node) *Node { return nn.Conv2D(s, x, 256, 4, 2, 1, true) }},
	{"D.conv4 256->512 k4s2p1", []int{16, 256, 8, 8}, func(s *model.Scope, x *Node) *Node { return nn.Conv2D(s, x, 512, 4, 2, 1, true) }},
	{"G.convT1 100->512 k4s1p0", []int{16, 100, 1, 1}, func(s *model.Scope, x *Node) *Node { return nn.ConvTranspose2D(s, x, 512, 4, 1, 0, true) }},
	{"G.convT2 512->256 k4s2p1", []int{16, 512, 4, 4}, func(s *model.Scope, x *Node) *Node { return nn.ConvTranspose2D(s, x, 256, 4, 2, 1, true) }},
	{"G.convT3 256->128 k4s2p1", []int{16, 256, 8, 8}, func(s *model.Scope, x *Node) *Node { return nn.ConvTranspose2D(s, x, 128, 4, 2, 1, true) }},
	{"G.convT4 128->64 k4s2p1", []int{16, 128, 16, 16}, func(s *model.Scope, x *Node) *Node { return nn.ConvTranspose2D(s, x, 64, 4, 2, 1, true) }},
	{"G.convT5 64->3 k4s2p1", []int{16, 64, 32, 32}, func(s *model.Scope, x *Node) *Node { return nn.ConvTranspose2D(s, x, 3, 4, 2, 1, true) }},
	{"Q.conv1 4->32 k3s1p1", []int{32, 4, 64, 64}, func(s *model.Scope, x *Node) *Node { return nn.Conv2D(s, x, 32, 3, 1, 1, true) }},
	{"Q.conv2 32->32 k3s1p1", []int{32, 32, 32, 32}, func(s *model.Scope, x *Node) *Node { return nn.Conv2D(s, x, 32, 3, 1, 1, true) }},
	{"Q.bn+relu+pool 32x64x64", []int{32, 32, 64, 64}, func(s *model.Scope, x *Node) *Node {
		return nn.MaxPool2D(nn.ReLU(nn.BatchNorm2D(s, x)), 2)
	}},
	{"Q.fc1 8192->512", []int{32, 8192}, func(s *model.Scope, x *Node) *Node { return nn.Linear(s, x, 512, true) }},
}

// runLayers times each layer case (median of steps, after warm-up).
func runLayers() error {
	backend := kernel.Backend()
	rng := rand.New(rand.NewPCG(3, 4))
	stop := startProfile(*flagProfile)
	defer stop()
	for _, c := range layerCases {
		if *flagLayerFilter != "" && !strings.Contains(c.name, *flagLayerFilter) {
			continue
		}
		store := model.NewStore()
		exec, err := model.NewExec(backend, store, func(s *model.Scope, x *Node) []*Node {
			s.Store().SetTraining(x.Graph(), true)
			y := c.fn(s.In("layer"), x)
			loss := ReduceAllSum(Mul(y, y))
			wrt := []*Node{x}
			for v := range s.IterVariables() {
				if v.Trainable && v.InUseByGraph(x.Graph()) {
					wrt = append(wrt, v.NodeValue(x.Graph()))
				}
			}
			return Gradient(loss, wrt...)
		})
		if err != nil {
			return err
		}
		n := 1
		for _, d := range c.in {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		x := tensors.FromFlatDataAndDimensions(data, c.in...)
		var times []float64
		for i := range *flagWarmup + *flagSteps {
			t0 := time.Now()
			out, err := exec.Exec(x)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			for _, t := range out {
				t.MustConstFlatData(func(any) {})
			}
			if i >= *flagWarmup {
				times = append(times, time.Since(t0).Seconds())
			}
		}
		slices.Sort(times)
		fmt.Printf("LAYER side=go %-26s fwd+bwd_ms=%.1f\n", c.name, 1000*median(times))
	}
	return nil
}
