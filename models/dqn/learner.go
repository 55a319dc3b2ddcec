package dqn

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/arcade-go/arcade/envs/flappy"
	"github.com/arcade-go/arcade/models/nn"
)

// TrainStats are the learner's numbers from one training iteration.
type TrainStats struct {
	Loss  float32 // mean squared TD error of the batch
	MeanQ float32 // mean Q(s, a) of the batch
}

// Learner owns the online network, the target network and the Adam state in
// one GoMLX store, and runs the training step of the reference (trainQNetwork):
//
//	y    = r + gamma * max_a' Q_target(s', a')       (r alone where s' is terminal)
//	loss = mean((y - sum(Q(s) * onehot(a)))^2)
//
// The target network is evaluated in inference mode: OneFlow's
// batch_normalization turns training off inside a "predict" job, and
// predictQNet is one; it uses the online network's batch-norm parameters and
// running statistics (shared variables in the reference) and its own copy of
// the conv/linear weights, refreshed every TargetSync iterations.
//
// A Learner is used from one goroutine.
type Learner struct {
	cfg   Config
	store *model.Store
	net   func(w, bn *model.Scope, x *Node) *Node // the Q-network cfg.Net names
	step  *model.Exec                             // training step
	iters int64                                   // training iterations done

	discount []float32 // scratch: per-transition discount of a batch
}

// NewLearner builds a learner with freshly initialised networks (seeded by
// cfg.Seed); the target starts as a copy of the online network.
func NewLearner(backend compute.Backend, cfg Config) (*Learner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	store := model.NewStore()
	configureStore(store, cfg.Seed, cfg.BNMomentum)
	net, err := qNetwork(cfg.Net)
	if err != nil {
		return nil, err
	}
	l := &Learner{cfg: cfg, store: store, net: net}
	// Create and initialise the online variables with one inference pass.
	if err := exceptionToError(func() {
		x := tensors.FromShape(shapes.Make(dtypes.Float32, 1, flappy.StackSize, flappy.FrameSize, flappy.FrameSize))
		model.MustCallOnce(backend, store, func(s *model.Scope, x *Node) *Node {
			on := s.At(OnlineScope)
			nn.SetTraining(on, x.Graph(), false)
			return net(on, on, x)
		}, x)
	}); err != nil {
		return nil, fmt.Errorf("dqn: initialising the Q-network: %w", err)
	}
	if err := l.SyncTarget(); err != nil {
		return nil, err
	}
	step, err := model.NewExec(backend, store, l.trainGraph)
	if err != nil {
		return nil, fmt.Errorf("dqn: building the training step: %w", err)
	}
	l.step = step
	return l, nil
}

// Store returns the learner's store (online, target and Adam variables), for checkpoints.
func (l *Learner) Store() *model.Store { return l.store }

// Iterations returns the number of training iterations done.
func (l *Learner) Iterations() int64 { return l.iters }

// SetIterations sets the iteration counter, after a checkpoint is restored.
func (l *Learner) SetIterations(n int64) { l.iters = n }

// trainGraph is the training step: inputs s [B,4,64,64], a [B] int32,
// r [B], discount [B] (gamma^n, 0 where s' is terminal), s' [B,4,64,64];
// outputs loss, mean Q(s,a), y [B].
func (l *Learner) trainGraph(scope *model.Scope, in []*Node) []*Node {
	s, a, r, discount, s2 := in[0], in[1], in[2], in[3], in[4]
	g := s.Graph()
	online, target := scope.At(OnlineScope), scope.At(TargetScope)
	y := l.targetGraph(online, target, r, discount, s2)

	// Online network on s, training mode (batch statistics), as trainQNet.
	nn.SetTraining(online, g, true)
	q := l.net(online, online, s)                                     // [B,2]
	qa := ReduceSum(Mul(q, OneHot(a, NumActions, dtypes.Float32)), 1) // [B]
	loss := ReduceAllMean(Square(Sub(y, qa)))                         // []
	optimizer.Adam().LearningRate(l.cfg.LR).Betas(l.cfg.Beta1, l.cfg.Beta2).
		Epsilon(l.cfg.AdamEps).Done().UpdateGraph(online, g, loss)
	return []*Node{loss, ReduceAllMean(qa), y}
}

// targetGraph returns y = r + discount*Q_target(s', a*) with a* = argmax
// Q_target (DQN) or argmax Q_online (Double DQN), both networks in inference
// mode; discount is gamma (gamma^n for n-step returns), 0 where s' is
// terminal. y carries no gradient.
func (l *Learner) targetGraph(online, target *model.Scope, r, discount, s2 *Node) *Node {
	g := s2.Graph()
	nn.SetTraining(online, g, false)   // the shared batch norms, for the target network
	qNext := l.net(target, online, s2) // [B,2]
	var best *Node
	if l.cfg.DoubleDQN {
		aStar := ArgMax(l.net(online, online, s2), 1, dtypes.Int32)                // [B]
		best = ReduceSum(Mul(qNext, OneHot(aStar, NumActions, dtypes.Float32)), 1) // [B]
	} else {
		best = ReduceMax(qNext, 1) // [B]
	}
	y := Add(r, Mul(discount, best))
	return StopGradient(y)
}

// Train runs one training iteration on batch b (Size must be cfg.BatchSize
// for the compiled step to be reused) and copies the online weights to the
// target every TargetSync iterations. synced reports a copy.
func (l *Learner) Train(b *Batch) (st TrainStats, synced bool, err error) {
	n := b.Size
	if cap(l.discount) < n {
		l.discount = make([]float32, n)
	}
	discount := l.discount[:n]
	for i := range discount {
		steps := 1
		if b.Steps != nil && b.Steps[i] > 0 {
			steps = int(b.Steps[i])
		}
		discount[i] = float32(math.Pow(l.cfg.Gamma, float64(steps)) * float64(1-b.Terminal[i]))
	}
	err = exceptionToError(func() {
		outs := l.step.MustExec(
			tensors.FromFlatDataAndDimensions(b.States, n, flappy.StackSize, flappy.FrameSize, flappy.FrameSize),
			tensors.FromFlatDataAndDimensions(b.Actions, n),
			tensors.FromFlatDataAndDimensions(b.Rewards, n),
			tensors.FromFlatDataAndDimensions(discount, n),
			tensors.FromFlatDataAndDimensions(b.NextStates, n, flappy.StackSize, flappy.FrameSize, flappy.FrameSize))
		st.Loss = tensors.MustCopyFlatData[float32](outs[0])[0]
		st.MeanQ = tensors.MustCopyFlatData[float32](outs[1])[0]
	})
	if err != nil {
		return st, false, fmt.Errorf("dqn: training step: %w", err)
	}
	l.iters++
	if l.iters%int64(l.cfg.TargetSync) == 0 {
		if err := l.SyncTarget(); err != nil {
			return st, false, err
		}
		synced = true
	}
	return st, synced, nil
}

// SyncTarget copies the online network's conv and linear weights to the
// target network (the reference's copyQNetToQnetT; batch norms are shared).
func (l *Learner) SyncTarget() error {
	online, target := l.store.RootScope().At(OnlineScope), l.store.RootScope().At(TargetScope)
	for _, layer := range weightLayers {
		for _, name := range []string{"weight", "bias"} {
			v := online.At("%s", layer).GetVariable(name)
			if v == nil {
				return fmt.Errorf("dqn: online variable %s/%s missing", layer, name)
			}
			data, dims, err := nn.VariableData(v)
			if err != nil {
				return err
			}
			ts := target.At("%s", layer)
			if err := nn.SetVariable(ts, name, dims, data); err != nil {
				return fmt.Errorf("dqn: copying to the target network: %w", err)
			}
			ts.GetVariable(name).SetTrainable(false)
		}
	}
	return nil
}

// ActingWeights returns a host copy of the weights the actor plays with: the
// target network's conv/linear weights and the (shared) batch norms, as the
// reference's getAction calls predictQNet, i.e. the target network.
func (l *Learner) ActingWeights() (*Weights, error) {
	return l.weights(TargetScope)
}

// OnlineWeights returns a host copy of the online network (for evaluation
// and export).
func (l *Learner) OnlineWeights() (*Weights, error) {
	return l.weights(OnlineScope)
}

func (l *Learner) weights(from string) (*Weights, error) {
	root := l.store.RootScope()
	w := &Weights{Data: map[string][]float32{}, Dims: map[string][]int{}}
	add := func(scope *model.Scope, layer string) error {
		for v := range scope.At("%s", layer).IterVariables() {
			if v.Shape().DType != dtypes.Float32 {
				continue // num_batches_tracked
			}
			data, dims, err := nn.VariableData(v)
			if err != nil {
				return err
			}
			key := layer + "." + v.Name()
			w.Data[key], w.Dims[key] = data, dims
		}
		return nil
	}
	for _, layer := range weightLayers {
		if err := add(root.At("%s", from), layer); err != nil {
			return nil, err
		}
	}
	for _, layer := range bnLayers {
		if err := add(root.At(OnlineScope), layer); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// exceptionToError runs fn and turns a GoMLX panic into an error, so a bad
// input never panics in a notebook cell.
func exceptionToError(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	fn()
	return nil
}
