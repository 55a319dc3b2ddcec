package dcgan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/arcade-go/arcade/kernel"
	"github.com/arcade-go/arcade/plots"
)

// points returns the number of points of each series of a live view's panel.
func points(l *Live, panel string) map[string]int {
	n := map[string]int{}
	for _, s := range l.View.Curves(panel).Series {
		n[s.Name] = len(s.X)
	}
	return n
}

func TestLiveDrawsTrainingAndResumes(t *testing.T) {
	cfg := tinyConfig() // reports every 2 steps, images every 3
	dir, out := t.TempDir(), t.TempDir()
	newView := func() *Live {
		return newLive(plots.NewLiveWith(plots.LiveConfig{Name: "gan", Dir: out}), nil)
	}

	live := newView()
	var reports int
	opt := live.Options(TrainOptions{Dir: dir, Steps: 4,
		OnReport: func(*GAN, int64, float64, float64) { reports++ }})
	if _, err := Train(context.Background(), kernel.Backend(), cfg, opt); err != nil {
		t.Fatal(err)
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	if reports != 2 {
		t.Errorf("the caller's OnReport ran %d times, want 2 (steps 2 and 4)", reports)
	}
	if got := points(live, livePanelLosses); got["discriminator"] != 2 || got["generator"] != 2 {
		t.Errorf("loss points %v, want 2 per network", got)
	}
	if got := points(live, livePanelFD); len(got) != 0 {
		t.Errorf("FD points %v without a Quality, want none", got)
	}
	for _, f := range []string{"gan.html", "gan_fake.png", "gan_real.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// A new view on the resumed run starts from the checkpoint's curves.
	live = newView()
	if _, err := Train(context.Background(), kernel.Backend(), cfg, live.Options(TrainOptions{Dir: dir, Steps: 6})); err != nil {
		t.Fatal(err)
	}
	live.Close()
	if got := points(live, livePanelLosses); got["discriminator"] != 3 {
		t.Errorf("after resuming to step 6: %v loss points, want 3 per network (2 from the checkpoint)", got)
	}
}
