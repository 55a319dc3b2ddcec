package dqn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/arcade-go/arcade/models/nn"
)

// NumActions is the number of actions: 0 does nothing, 1 flaps.
const NumActions = 2

// BatchNorm hyperparameters of the reference: OneFlow's
// flow.layers.batch_normalization defaults, epsilon 1e-3 and momentum 0.99 in
// TensorFlow's convention, i.e. PyTorch momentum 0.01.
const (
	BNEpsilon  = 1e-3
	BNMomentum = 0.01
)

// Scope names in the learner's store: the online network, the target
// network and the acting copy; variable paths follow PyTorch's state_dict
// keys below them ("/online/conv1/weight", "/online/bn3/running_var").
const (
	OnlineScope = "online"
	TargetScope = "target"
	ActScope    = "act"
)

// weightLayers are the layers whose weights the target network copies;
// bnLayers are the batch norms, which in the reference are shared by the
// online and the target network.
var (
	weightLayers = []string{"conv1", "conv2", "fc1", "fc2"}
	bnLayers     = []string{"bn1", "bn2", "bn3"}
)

// QNet is the reference's Q-network (createOfQNet in BrainDQNOneFlow.py) on
// x [B,4,64,64]; it returns Q [B,2]. The conv and linear weights live in
// scope w, the batch norms in scope bn (the same scope for the online
// network; the online one for the target network, as in the reference, where
// the batch-norm variables carry no QNet/QNetT prefix and so are shared).
// Whether the batch norms use batch statistics is nn.IsTraining(bn, g).
func QNet(w, bn *model.Scope, x *Node) *Node {
	if d := x.Shape().Dimensions; len(d) != 4 || d[1] != StackFrames || d[2] != FrameSide || d[3] != FrameSide {
		panic(fmt.Sprintf("dqn.QNet: input shape %s, want [B,%d,%d,%d]", x.Shape(), StackFrames, FrameSide, FrameSide))
	}
	x = nn.Conv2D(w.At("conv1"), x, 32, 3, 1, 1, true) // [B,32,64,64]
	x = nn.ReLU(nn.BatchNorm2D(bn.At("bn1"), x))
	x = pool(x)                                        // [B,32,32,32]
	x = nn.Conv2D(w.At("conv2"), x, 32, 3, 1, 1, true) // [B,32,32,32]
	x = nn.ReLU(nn.BatchNorm2D(bn.At("bn2"), x))
	x = maxPool2(x)                          // [B,32,16,16]
	x = nn.Flatten(x)                        // [B,8192]
	x = nn.Linear(w.At("fc1"), x, 512, true) // [B,512]
	x = nn.ReLU(nn.BatchNorm1D(bn.At("bn3"), x))
	return nn.Linear(w.At("fc2"), x, NumActions, true) // [B,2]
}

// configureStore sets the store-wide hyperparameters of the reference:
// fan-in truncated-normal weights with zero biases, OneFlow's batch norm.
func configureStore(store *model.Store, seed int64, bnMomentum float64) {
	root := store.RootScope()
	root.SetParam(nn.ParamInit, nn.InitFanInTruncatedNormal)
	root.SetParam(nn.ParamBatchNormMomentum, bnMomentum)
	root.SetParam(nn.ParamBatchNormEpsilon, BNEpsilon)
	root.SetParam(model.ParamInitialSeed, seed)
}

// Weights is a host copy of a network's variables, keyed by PyTorch
// state_dict name ("conv1.weight", "bn1.running_mean"). It is immutable once
// published, so the learner can hand it to the actor by pointer.
type Weights struct {
	Data map[string][]float32
	Dims map[string][]int
}

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
	cfg     Config
	backend compute.Backend
	store   *model.Store
	step    *model.Exec // training step
	iters   int64       // training iterations done

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
	l := &Learner{cfg: cfg, backend: backend, store: store}
	// Create and initialise the online variables with one inference pass.
	if err := exceptionToError(func() {
		x := tensors.FromShape(shapes.Make(dtypes.Float32, 1, StackFrames, FrameSide, FrameSide))
		model.MustCallOnce(backend, store, func(s *model.Scope, x *Node) *Node {
			on := s.At(OnlineScope)
			nn.SetTraining(on, x.Graph(), false)
			return QNet(on, on, x)
		}, x)
	}); err != nil {
		return nil, fmt.Errorf("dqn: initialising the Q-network: %w", err)
	}
	if err := l.SyncTarget(); err != nil {
		return nil, err
	}
	l.step = model.MustNewExec(backend, store, l.trainGraph)
	return l, nil
}

// Store returns the learner's store (online, target and Adam variables), for checkpoints.
func (l *Learner) Store() *model.Store { return l.store }

// Config returns the learner's configuration.
func (l *Learner) Config() Config { return l.cfg }

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
	q := QNet(online, online, s)                                      // [B,2]
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
	nn.SetTraining(online, g, false)  // the shared batch norms, for the target network
	qNext := QNet(target, online, s2) // [B,2]
	var best *Node
	if l.cfg.DoubleDQN {
		aStar := ArgMax(QNet(online, online, s2), 1, dtypes.Int32)                 // [B]
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
			tensors.FromFlatDataAndDimensions(b.States, n, StackFrames, FrameSide, FrameSide),
			tensors.FromFlatDataAndDimensions(b.Actions, n),
			tensors.FromFlatDataAndDimensions(b.Rewards, n),
			tensors.FromFlatDataAndDimensions(discount, n),
			tensors.FromFlatDataAndDimensions(b.NextStates, n, StackFrames, FrameSide, FrameSide))
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

// Policy evaluates a Q-network in inference mode from its own store, so an
// actor can play in its own goroutine while the learner trains. Use one
// Policy per goroutine.
type Policy struct {
	backend compute.Backend
	store   *model.Store
	fwd     *model.Exec
	loaded  *Weights
}

// NewPolicy returns a policy holding weights w.
func NewPolicy(backend compute.Backend, w *Weights) (*Policy, error) {
	store := model.NewStore()
	configureStore(store, 0, BNMomentum)
	p := &Policy{backend: backend, store: store}
	if err := p.Load(w); err != nil {
		return nil, err
	}
	p.fwd = model.MustNewExec(backend, store, func(s *model.Scope, x *Node) *Node {
		act := s.At(ActScope)
		nn.SetTraining(act, x.Graph(), false)
		return QNet(act, act, x)
	})
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
	if len(x) != n*StackFrames*FramePixels {
		return nil, fmt.Errorf("dqn: %d values for %d states", len(x), n)
	}
	var q []float32
	err := exceptionToError(func() {
		out := p.fwd.MustExec1(tensors.FromFlatDataAndDimensions(x, n, StackFrames, FrameSide, FrameSide))
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

// pool is the max-pool the Q-network uses (a variable for benchmarks).
var pool = maxPool2

// maxPool2 is torch.nn.MaxPool2d(2) including its gradient where a window
// holds equal maxima: PyTorch (and cuDNN under OneFlow) passes the gradient
// to the first maximum in row-major order, while GoMLX's ReduceMax (and so
// nn.MaxPool2D) passes it to every tied element. The DQN's inputs are binary,
// so uniform regions tie in every window and the difference is large (4x
// the gradient there). The first maximum is picked with masks that carry no
// gradient: y = sum_i x_i * first_i.
func maxPool2(x *Node) *Node {
	d := x.Shape().Dimensions                          // [B,C,H,W]
	x6 := Reshape(x, d[0], d[1], d[2]/2, 2, d[3]/2, 2) // [B,C,H/2,2,W/2,2]
	at := func(i, j int) *Node {
		return Reshape(Slice(x6, AxisRange(), AxisRange(), AxisRange(), AxisElem(i), AxisRange(), AxisElem(j)),
			d[0], d[1], d[2]/2, d[3]/2)
	}
	a, b, c, e := at(0, 0), at(0, 1), at(1, 0), at(1, 1)
	m := StopGradient(Max(Max(a, b), Max(c, e)))
	zero := ZerosLike(m)
	taken := zero // 1 where an earlier element already was the maximum
	y := zero
	for _, v := range []*Node{a, b, c, e} {
		isMax := Where(Equal(StopGradient(v), m), OnesLike(m), zero)
		first := StopGradient(Mul(isMax, OneMinus(taken)))
		y = Add(y, Mul(v, first))
		taken = Max(taken, isMax)
	}
	return y
}
