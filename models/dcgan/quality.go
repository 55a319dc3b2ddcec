package dcgan

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/arcade-go/arcade/envs/atari"
	"github.com/arcade-go/arcade/models/ckpt"
	"github.com/arcade-go/arcade/models/nn"
)

// The sample-quality number. None of the original tutorials has one: the
// learner sees losses wobble and must judge the pictures by eye. Here a small
// classifier learns to tell the three games apart from real frames (seconds
// on a CPU); its penultimate layer is a feature space in which real frames of
// the three games form three clusters. The Fréchet distance between the
// Gaussian fitted to real frames' features and the one fitted to generated
// frames' features (the FID recipe with this classifier instead of
// Inception) falls as samples look more like the games; the share of samples
// the classifier assigns to each game shows whether the generator covers all
// three or collapsed onto one.

// QualityGames are the games the classifier tells apart, in label order.
var QualityGames = atari.TutorialGames

// QualityFeatures is the size of the classifier's feature vector.
const QualityFeatures = 32

// classifier is the quality network: [N,3,64,64] -> features [N,32], logits [N,3].
func classifier(s *model.Scope, x *Node) (features, logits *Node) {
	x = nn.ReLU(nn.Conv2D(s.At("conv0"), x, 8, 4, 2, 1, true))        // [N,8,32,32]
	x = nn.ReLU(nn.Conv2D(s.At("conv1"), x, 16, 4, 2, 1, true))       // [N,16,16,16]
	x = nn.ReLU(nn.Conv2D(s.At("conv2"), x, 32, 4, 2, 1, true))       // [N,32,8,8]
	x = nn.ReLU(nn.Conv2D(s.At("conv3"), x, 32, 4, 2, 1, true))       // [N,32,4,4]
	features = ReduceMean(x, 2, 3)                                    // [N,32] global average pool
	logits = nn.Linear(s.At("fc"), features, len(QualityGames), true) // [N,3]
	return
}

// Quality scores generated frames against real ones.
type Quality struct {
	backend  compute.Backend
	store    *model.Store
	predict  *model.Exec // images -> features, logits
	realMean []float64
	realCov  *mat.SymDense
	// Accuracy is the classifier's accuracy on held-out real frames.
	Accuracy float64
	// RealSpread is the Spread of the held-out real frames (all three games).
	RealSpread float64
}

// Score is the quality of a set of generated frames.
type Score struct {
	// FD is the Fréchet distance between real and generated frames in the
	// classifier's feature space (0: indistinguishable; lower is better).
	FD float64 `json:"fd"`
	// Shares[i] is the fraction of frames the classifier assigns to QualityGames[i].
	Shares []float64 `json:"shares"`
	// Spread is the frames' diversity (see Spread): a collapse shows as a
	// spread near 0 while real frames have Quality.RealSpread.
	Spread float64 `json:"spread"`
}

func (s Score) String() string {
	parts := make([]string, len(s.Shares))
	for i, v := range s.Shares {
		parts[i] = fmt.Sprintf("%s %.0f%%", QualityGames[i], 100*v)
	}
	return fmt.Sprintf("FD %.3g, spread %.2f (%s)", s.FD, s.Spread, strings.Join(parts, ", "))
}

// QualityOptions sizes the classifier's training.
type QualityOptions struct {
	// TrainFrames is the number of labelled real frames to train on (default 600).
	TrainFrames int
	// RealFrames is the number of other real frames the real statistics come from (default 512).
	RealFrames int
	// Steps is the number of training steps, batch 32 (default 150).
	Steps int
	// Cache is a checkpoint directory for the classifier ("" for none): loaded if valid, else written.
	Cache string
}

func (o QualityOptions) withDefaults() QualityOptions {
	if o.TrainFrames <= 0 {
		o.TrainFrames = 600
	}
	if o.RealFrames <= 0 {
		o.RealFrames = 512
	}
	if o.Steps <= 0 {
		o.Steps = 150
	}
	return o
}

// NewQuality returns the quality scorer: it loads the classifier from
// opt.Cache if there is a valid one, else trains it on real frames (a few
// seconds) and caches it, then measures the real frames' feature statistics.
func NewQuality(backend compute.Backend, opt QualityOptions) (*Quality, error) {
	opt = opt.withDefaults()
	q := &Quality{backend: backend, store: model.NewStore()}
	q.store.SetParam(model.ParamInitialSeed, int64(7))
	var err error
	q.predict, err = model.NewExec(backend, q.store, func(s *model.Scope, x *Node) (*Node, *Node) {
		return classifier(s.At("classifier"), x)
	})
	if err != nil {
		return nil, err
	}
	id := ckpt.Identity{Model: "dcgan-quality-classifier", Params: map[string]any{
		"features": QualityFeatures, "games": strings.Join(QualityGames, ","), "frames": opt.TrainFrames, "steps": opt.Steps}}
	var dir *ckpt.Dir
	loaded := false
	if opt.Cache != "" {
		if dir, err = ckpt.Open(opt.Cache, id, 1); err != nil {
			return nil, err
		}
		if _, err := dir.Load(q.store, nil); err == nil {
			loaded = true
		} else if !errors.Is(err, ckpt.ErrNoCheckpoint) {
			return nil, err
		}
	}
	if !loaded {
		if err := q.train(opt); err != nil {
			return nil, err
		}
		if dir != nil {
			if _, err := dir.Save(q.store, int64(opt.Steps), nil); err != nil {
				return nil, err
			}
		}
	}
	// Real statistics and held-out accuracy from frames the classifier never saw.
	imgs, labels := atari.LabelledFrames(opt.RealFrames, 99)
	feats, pred, err := q.run(tensors.FromFlatDataAndDimensions(imgs, opt.RealFrames, 3, 64, 64))
	if err != nil {
		return nil, err
	}
	correct := 0
	for i, p := range pred {
		if p == labels[i] {
			correct++
		}
	}
	q.Accuracy = float64(correct) / float64(len(labels))
	q.realMean, q.realCov = meanCov(feats)
	q.RealSpread = Spread(imgs, opt.RealFrames)
	return q, nil
}

// train fits the classifier with Adam (lr 1e-3, batch 32) on labelled frames.
func (q *Quality) train(opt QualityOptions) error {
	imgs, labels := atari.LabelledFrames(opt.TrainFrames, 1)
	step, err := model.NewExec(q.backend, q.store, func(s *model.Scope, x, y *Node) *Node {
		s.Store().SetTraining(x.Graph(), true)
		cs := s.At("classifier")
		_, logits := classifier(cs, x)
		// Softmax cross-entropy with integer labels y [N].
		logp := LogSoftmax(logits)
		onehot := OneHot(y, len(QualityGames), logp.DType())
		loss := Neg(ReduceAllMean(ReduceSum(Mul(onehot, logp), -1)))
		optimizer.Adam().LearningRate(1e-3).Done().UpdateGraph(cs, x.Graph(), loss)
		return loss
	})
	if err != nil {
		return err
	}
	const batch = 32
	plane := 3 * 64 * 64
	r := rand.New(rand.NewPCG(11, 12))
	x := make([]float32, batch*plane)
	y := make([]int32, batch)
	for range opt.Steps {
		for b := range batch {
			i := r.IntN(len(labels))
			copy(x[b*plane:(b+1)*plane], imgs[i*plane:(i+1)*plane])
			y[b] = int32(labels[i])
		}
		if _, err := step.Call(tensors.FromFlatDataAndDimensions(x, batch, 3, 64, 64), tensors.FromFlatDataAndDimensions(y, batch)); err != nil {
			return fmt.Errorf("dcgan: training the quality classifier: %w", err)
		}
	}
	return nil
}

// run returns the features and the predicted game of each image.
func (q *Quality) run(images *tensors.Tensor) ([][]float64, []int, error) {
	n := images.Shape().Dimensions[0]
	outs, err := q.predict.Call(images)
	if err != nil {
		return nil, nil, err
	}
	f := tensors.MustCopyFlatData[float32](outs[0])
	l := tensors.MustCopyFlatData[float32](outs[1])
	k := len(QualityGames)
	feats := make([][]float64, n)
	pred := make([]int, n)
	for i := range n {
		feats[i] = make([]float64, QualityFeatures)
		for j := range QualityFeatures {
			feats[i][j] = float64(f[i*QualityFeatures+j])
		}
		best := 0
		for j := 1; j < k; j++ {
			if l[i*k+j] > l[i*k+best] {
				best = j
			}
		}
		pred[i] = best
	}
	return feats, pred, nil
}

// Score rates images [N,3,64,64] in [-1,1] (N >= 2; a few hundred for a stable number).
func (q *Quality) Score(images *tensors.Tensor) (Score, error) {
	d := images.Shape().Dimensions
	if len(d) != 4 || d[0] < 2 || d[1] != 3 || d[2] != 64 || d[3] != 64 {
		return Score{}, fmt.Errorf("dcgan: quality needs images [N>=2,3,64,64], got %s", images.Shape())
	}
	feats, pred, err := q.run(images)
	if err != nil {
		return Score{}, err
	}
	mu, cov := meanCov(feats)
	s := Score{FD: frechet(q.realMean, q.realCov, mu, cov), Shares: make([]float64, len(QualityGames)),
		Spread: Spread(tensors.MustCopyFlatData[float32](images), d[0])}
	for _, p := range pred {
		s.Shares[p] += 1 / float64(len(pred))
	}
	return s, nil
}

// ScoreGAN scores n samples of the generator in inference mode, from a fixed noise batch.
func (q *Quality) ScoreGAN(m *GAN, n int) (Score, error) {
	imgs, err := m.Generate(FixedNoise(n, m.Config.LatentSize, 77))
	if err != nil {
		return Score{}, err
	}
	return q.Score(imgs)
}

// meanCov returns the mean and the (unbiased) covariance of the rows of x.
func meanCov(x [][]float64) ([]float64, *mat.SymDense) {
	n, d := len(x), len(x[0])
	data := mat.NewDense(n, d, nil)
	for i, r := range x {
		data.SetRow(i, r)
	}
	mu := make([]float64, d)
	for j := range d {
		mu[j] = stat.Mean(mat.Col(nil, j, data), nil)
	}
	cov := mat.NewSymDense(d, nil)
	stat.CovarianceMatrix(cov, data, nil)
	return mu, cov
}

// frechet is |mu1-mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)), computing
// Tr((S1 S2)^(1/2)) as the sum of square roots of the eigenvalues of the
// symmetric matrix S1^(1/2) S2 S1^(1/2).
func frechet(mu1 []float64, s1 *mat.SymDense, mu2 []float64, s2 *mat.SymDense) float64 {
	d := len(mu1)
	var fd float64
	for i := range d {
		fd += (mu1[i]-mu2[i])*(mu1[i]-mu2[i]) + s1.At(i, i) + s2.At(i, i)
	}
	r := sqrtSym(s1)
	var m mat.Dense
	m.Product(r, s2, r)
	for _, ev := range eigenvalues(symmetric(&m)) {
		fd -= 2 * math.Sqrt(max(ev, 0))
	}
	return max(fd, 0)
}

// symmetric returns (a + a^T)/2, removing rounding asymmetry.
func symmetric(a *mat.Dense) *mat.SymDense {
	n, _ := a.Dims()
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s
}

func eigenvalues(a *mat.SymDense) []float64 {
	var e mat.EigenSym
	if !e.Factorize(a, false) {
		return make([]float64, a.SymmetricDim()) // does not happen for finite input
	}
	return e.Values(nil)
}

// sqrtSym is the square root of a symmetric positive semi-definite matrix.
func sqrtSym(a *mat.SymDense) *mat.Dense {
	var e mat.EigenSym
	n := a.SymmetricDim()
	if !e.Factorize(a, true) {
		return mat.NewDense(n, n, nil)
	}
	vals := e.Values(nil)
	var vecs mat.Dense
	e.VectorsTo(&vecs)
	root := mat.NewDiagDense(n, nil)
	for i, v := range vals {
		root.SetDiag(i, math.Sqrt(max(v, 0)))
	}
	var out mat.Dense
	out.Product(&vecs, root, vecs.T())
	return &out
}

// Spread is the diversity of images [N,C,H,W] in [-1,1]: the standard
// deviation of each pixel value across the N images, averaged over pixels,
// in the [0,1] units of the frames. A batch of one picture repeated has 0;
// real frames of the three games about 0.2 (AtariSpread measures it); a
// generator that collapsed onto one picture has a few hundredths.
func Spread(images []float32, n int) float64 {
	if n < 2 {
		return 0
	}
	plane := len(images) / n
	var total float64
	for p := range plane {
		var sum, sq float64
		for i := range n {
			v := float64(images[i*plane+p]+1) / 2
			sum += v
			sq += v * v
		}
		mean := sum / float64(n)
		total += math.Sqrt(max(sq/float64(n)-mean*mean, 0))
	}
	return total / float64(plane)
}
