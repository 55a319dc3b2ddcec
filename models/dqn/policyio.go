package dqn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/models/ckpt"
	"github.com/arcade-go/arcade/models/nn"
)

// PolicyIdentity is the identity of the best-model checkpoints (online network only).
var PolicyIdentity = ckpt.Identity{Model: "dqn-policy", Params: networkParams}

// BestDir is the sub-directory of a run's directory that keeps the best
// model found by evaluation.
const BestDir = "best"

// bestModel is the extra state of a best-model checkpoint: the evaluation
// that made it the best and what the policy needs to play.
type bestModel struct {
	EvalPoint
	Net       string `json:"net,omitempty"` // Config.Net; "" in files written before it was kept: the reference's
	FrameSkip int    `json:"frame_skip"`    // 0 in files written before it was kept here
}

// saveBest writes the online network w of Q-network net, evaluated at p, as
// the run's best model.
func saveBest(runDir string, w *Weights, p EvalPoint, net string, frameSkip int) error {
	store, err := storeFromWeights(w)
	if err != nil {
		return err
	}
	d, err := ckpt.Open(filepath.Join(runDir, BestDir), PolicyIdentity, 1)
	if err != nil {
		return err
	}
	_, err = d.Save(store, p.Iters, bestModel{EvalPoint: p, Net: net, FrameSkip: frameSkip})
	return err
}

func storeFromWeights(w *Weights) (*model.Store, error) {
	store := model.NewStore()
	on := store.RootScope().At(OnlineScope)
	for _, key := range w.Keys() {
		layer, name, _ := strings.Cut(key, ".")
		if err := nn.SetVariable(on.At("%s", layer), name, w.Dims[key], w.Data[key]); err != nil {
			return nil, err
		}
	}
	return store, nil
}

// weightsFromStore reads the online network of a store (a training
// checkpoint's or a best model's).
func weightsFromStore(store *model.Store) (*Weights, error) {
	w := &Weights{Data: map[string][]float32{}, Dims: map[string][]int{}}
	on := store.RootScope().At(OnlineScope)
	for _, layer := range append(append([]string{}, weightLayers...), bnLayers...) {
		found := false
		for v := range on.At("%s", layer).IterVariables() {
			if v.Name() == "num_batches_tracked" {
				continue
			}
			data, dims, err := nn.VariableData(v)
			if err != nil {
				return nil, err
			}
			w.Data[layer+"."+v.Name()], w.Dims[layer+"."+v.Name()] = data, dims
			found = true
		}
		if !found {
			return nil, fmt.Errorf("dqn: the checkpoint has no layer %q of the Q-network", layer)
		}
	}
	return w, nil
}

// LoadPolicy loads a trained Q-network from a run's directory: its best
// model (which = "best", falling back to the latest checkpoint when there is
// none) or its latest training checkpoint (which = "latest"). The policy
// is the run's Q-network and decides every FrameSkip frames, as the run
// trained it. It returns the
// policy and the file it read.
func LoadPolicy(backend compute.Backend, runDir, which string) (*Policy, string, error) {
	if _, err := os.Stat(runDir); err != nil {
		return nil, "", fmt.Errorf("dqn: run directory: %w", err)
	}
	var (
		store *model.Store
		path  string
		how   bestModel // the network and the frame skip
		err   error
	)
	switch which {
	case "best", "":
		store, path, how, err = loadBest(runDir)
		if errors.Is(err, ckpt.ErrNoCheckpoint) {
			store, path, how, err = loadLatest(runDir)
		}
	case "latest":
		store, path, how, err = loadLatest(runDir)
	default:
		return nil, "", fmt.Errorf("dqn: which = %q, want best or latest", which)
	}
	if err != nil {
		return nil, "", err
	}
	w, err := weightsFromStore(store)
	if err != nil {
		return nil, "", fmt.Errorf("dqn: %s: %w", path, err)
	}
	p, err := NewPolicy(backend, w, how.Net, how.FrameSkip)
	if err != nil {
		return nil, "", fmt.Errorf("dqn: %s: %w", path, err)
	}
	return p, path, nil
}

// loadLatest reads the online network of a run's newest loadable training
// checkpoint, and the network and frame skip of its config.
func loadLatest(runDir string) (*model.Store, string, bestModel, error) {
	d, err := ckpt.Open(runDir, RunIdentity, 3)
	if err != nil {
		return nil, "", bestModel{}, err
	}
	store := model.NewStore()
	var st trainState
	info, err := d.Load(store, &st)
	if err != nil {
		return nil, "", bestModel{}, err
	}
	return store, info.Path, bestModel{Net: st.Config.Net, FrameSkip: st.Config.FrameSkip}, nil
}

// loadBest reads a run's best model (ckpt.ErrNoCheckpoint if it has none).
func loadBest(runDir string) (*model.Store, string, bestModel, error) {
	bestDir := filepath.Join(runDir, BestDir)
	if _, err := os.Stat(bestDir); err != nil {
		return nil, "", bestModel{}, ckpt.ErrNoCheckpoint
	}
	d, err := ckpt.Open(bestDir, PolicyIdentity, 1)
	if err != nil {
		return nil, "", bestModel{}, err
	}
	store := model.NewStore()
	var b bestModel
	info, err := d.Load(store, &b)
	if err != nil {
		return nil, "", bestModel{}, err
	}
	if b.FrameSkip == 0 {
		// Written before best models kept their frame skip: the run's.
		b.FrameSkip = 1
		if _, c, err := ReadHistory(runDir); err == nil && c.FrameSkip > 0 {
			b.FrameSkip = c.FrameSkip
		}
	}
	return store, info.Path, b, nil
}
