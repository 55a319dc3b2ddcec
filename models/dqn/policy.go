package dqn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/envs/flappy"
	"github.com/arcade-go/arcade/models/nn"
)

// Weights is a host copy of a network's variables, keyed by PyTorch
// state_dict name ("conv1.weight", "bn1.running_mean"): what the learner
// hands to the actor's policy and what a best model keeps. Treat it as
// immutable: a Policy skips loading the Weights it already holds.
type Weights struct {
	Data map[string][]float32
	Dims map[string][]int
}

// ParamCount returns the number of trainable parameters of w.
func (w *Weights) ParamCount() int {
	n := 0
	for k, d := range w.Data {
		if strings.HasSuffix(k, "running_mean") || strings.HasSuffix(k, "running_var") {
			continue
		}
		n += len(d)
	}
	return n
}

// Keys returns the weight names, sorted.
func (w *Weights) Keys() []string {
	keys := make([]string, 0, len(w.Data))
	for k := range w.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Policy is a trained Q-network that plays: the network in inference mode,
// in its own store, and the frame skip it was trained with (game frames per
// decision). Use one Policy per goroutine.
type Policy struct {
	Net       string // the Q-network (Config.Net)
	FrameSkip int    // game frames per decision: the action on the first, "do nothing" on the others

	store  *model.Store
	fwd    *model.Exec
	loaded *Weights
}

// NewPolicy returns a policy holding weights w of the Q-network named net
// (Config.Net) that decides every frameSkip frames.
func NewPolicy(backend compute.Backend, w *Weights, net string, frameSkip int) (*Policy, error) {
	if frameSkip < 1 {
		return nil, fmt.Errorf("dqn: policy frame skip %d, want >= 1", frameSkip)
	}
	qnet, err := qNetwork(net)
	if err != nil {
		return nil, err
	}
	if net == "" {
		net = NetReference
	}
	store := model.NewStore()
	configureStore(store, 0, BNMomentum)
	p := &Policy{Net: net, FrameSkip: frameSkip, store: store}
	if err := p.Load(w); err != nil {
		return nil, err
	}
	fwd, err := model.NewExec(backend, store, func(s *model.Scope, x *Node) *Node {
		act := s.At(ActScope)
		nn.SetTraining(act, x.Graph(), false)
		return qnet(act, act, x)
	})
	if err != nil {
		return nil, fmt.Errorf("dqn: building the policy's network: %w", err)
	}
	p.fwd = fwd
	return p, nil
}

// Load replaces the policy's weights by w (no-op if w is the current one).
func (p *Policy) Load(w *Weights) error {
	if w == p.loaded {
		return nil
	}
	act := p.store.RootScope().At(ActScope)
	for key, data := range w.Data {
		layer, name, ok := strings.Cut(key, ".")
		if !ok {
			return fmt.Errorf("dqn: bad weight name %q", key)
		}
		if err := nn.SetVariable(act.At("%s", layer), name, w.Dims[key], data); err != nil {
			return err
		}
	}
	p.loaded = w
	return nil
}

// Q returns the Q-values [n,2] (row-major) of the n states in x [n,4,64,64].
func (p *Policy) Q(x []float32, n int) ([]float32, error) {
	if len(x) != n*flappy.ObservationSize {
		return nil, fmt.Errorf("dqn: %d values for %d states", len(x), n)
	}
	var q []float32
	err := exceptionToError(func() {
		out := p.fwd.MustExec1(tensors.FromFlatDataAndDimensions(x, n, flappy.StackSize, flappy.FrameSize, flappy.FrameSize))
		q = tensors.MustCopyFlatData[float32](out)
	})
	if err != nil {
		return nil, fmt.Errorf("dqn: Q-network forward: %w", err)
	}
	return q, nil
}

// Greedy writes argmax_a Q(s,a) of each of the n states in x into actions.
func (p *Policy) Greedy(x []float32, n int, actions []int) error {
	q, err := p.Q(x, n)
	if err != nil {
		return err
	}
	for i := range n {
		actions[i] = 0
		if q[i*NumActions+1] > q[i*NumActions] {
			actions[i] = 1
		}
	}
	return nil
}
