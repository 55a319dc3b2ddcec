package dqn

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/arcade-go/arcade/envs/flappy"
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
// The max-pools are torch.nn.MaxPool2d(2), gradient included (nn.MaxPool2D):
// the binary frames tie in most windows, and of tied maxima PyTorch (and
// cuDNN under OneFlow) passes the gradient to the first.
//
// The reference applies ReLU and then the max-pool; QNet pools first. The two
// commute, values and gradients alike (ReLU is nondecreasing, so a window's
// first maximum is the same element either way when it is positive, and the
// gradient is 0 either way when it is not), and the ReLU then runs on a
// quarter of the values.
func QNet(w, bn *model.Scope, x *Node) *Node {
	checkInput("QNet", x)
	x = nn.Conv2D(w.At("conv1"), x, 32, 3, 1, 1, true)            // [B,32,64,64]
	x = nn.ReLU(nn.MaxPool2D(nn.BatchNorm2D(bn.At("bn1"), x), 2)) // [B,32,32,32]
	x = nn.Conv2D(w.At("conv2"), x, 32, 3, 1, 1, true)            // [B,32,32,32]
	x = nn.ReLU(nn.MaxPool2D(nn.BatchNorm2D(bn.At("bn2"), x), 2)) // [B,32,16,16]
	x = nn.Flatten(x)                                             // [B,8192]
	x = nn.Linear(w.At("fc1"), x, 512, true)                      // [B,512]
	x = nn.ReLU(nn.BatchNorm1D(bn.At("bn3"), x))
	return nn.Linear(w.At("fc2"), x, NumActions, true) // [B,2]
}

// SmallQNet is the fast preset's Q-network on x [B,4,64,64]: two strided
// convolutions in place of the reference's full-resolution ones and their
// max-pools (the shape of Mnih et al.'s Atari network), and a 256-unit hidden
// layer; about 5.2 million multiply-adds per state against QNet's 18.3
// million, and a training iteration about 3 times faster on the CPU. Same
// layer names and batch norms as QNet, so the target copy, the checkpoints
// and the policy files treat both alike.
func SmallQNet(w, bn *model.Scope, x *Node) *Node {
	checkInput("SmallQNet", x)
	x = nn.Conv2D(w.At("conv1"), x, 32, 8, 4, 2, true) // [B,32,16,16]
	x = nn.ReLU(nn.BatchNorm2D(bn.At("bn1"), x))
	x = nn.Conv2D(w.At("conv2"), x, 64, 4, 2, 1, true) // [B,64,8,8]
	x = nn.ReLU(nn.BatchNorm2D(bn.At("bn2"), x))
	x = nn.Flatten(x)                        // [B,4096]
	x = nn.Linear(w.At("fc1"), x, 256, true) // [B,256]
	x = nn.ReLU(nn.BatchNorm1D(bn.At("bn3"), x))
	return nn.Linear(w.At("fc2"), x, NumActions, true) // [B,2]
}

// The Q-networks Config.Net names.
const (
	NetReference = "reference" // QNet, the port's
	NetSmall     = "small"     // SmallQNet
)

// qNetwork returns the Q-network named net; "" is the reference's (configs
// and policy files written before Config.Net existed).
func qNetwork(net string) (func(w, bn *model.Scope, x *Node) *Node, error) {
	switch net {
	case NetReference, "":
		return QNet, nil
	case NetSmall:
		return SmallQNet, nil
	}
	return nil, fmt.Errorf("dqn: unknown Q-network %q (want %q or %q)", net, NetReference, NetSmall)
}

func checkInput(name string, x *Node) {
	if d := x.Shape().Dimensions; len(d) != 4 || d[1] != flappy.StackSize || d[2] != flappy.FrameSize || d[3] != flappy.FrameSize {
		panic(fmt.Sprintf("dqn.%s: input shape %s, want [B,%d,%d,%d]", name, x.Shape(), flappy.StackSize, flappy.FrameSize, flappy.FrameSize))
	}
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
