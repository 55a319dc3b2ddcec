package dcgan

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/arcade-go/arcade/envs/atari"
)

// TestDumpBatches writes the real batches Train would use (DefaultConfig's
// seed, from step 0) to $ARCADE_DUMP_BATCHES as uint8 0..255, NCHW, batch
// after batch, for testdata/reference_train.py. Skipped unless the variable
// is set; $ARCADE_DUMP_N batches (default 2000).
func TestDumpBatches(t *testing.T) {
	path := os.Getenv("ARCADE_DUMP_BATCHES")
	if path == "" {
		t.Skip("set ARCADE_DUMP_BATCHES=FILE (and ARCADE_DUMP_N) to dump Train's real batches")
	}
	n := 2000
	if s := os.Getenv("ARCADE_DUMP_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	b, err := atari.NewBatcher(atari.BatchConfig{BatchSize: cfg.BatchSize, Seed: uint64(cfg.Seed) * 7919})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	buf := make([]byte, 0, cfg.BatchSize*3*64*64)
	var maxErr float64
	for range n {
		batch := b.Next()
		buf = buf[:0]
		for _, x := range batch.Images {
			v := (float64(x) + 1) * 255 / 2
			r := math.Round(v)
			maxErr = max(maxErr, math.Abs(v-r))
			buf = append(buf, byte(r))
		}
		if _, err := w.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d batches to %s; largest rounding to 0..255 integers: %.3g", n, path, maxErr)
}
