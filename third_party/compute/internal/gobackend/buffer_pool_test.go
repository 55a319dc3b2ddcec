package gobackend

import (
	"runtime"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// A buffer put back by one goroutine is the one the next GetBuffer of its
// size returns, on whichever thread asks: a sync.Pool kept it in the putting
// P's private slot, out of other Ps' reach, and the backend allocated anew.
func TestBufferPoolSharedAcrossThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	b, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	backend := b.(*Backend)
	defer backend.Finalize()
	shape := shapes.Make(dtypes.Float32, 12345)
	for i := range 50 {
		put := make(chan *Buffer)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			buf, err := backend.GetBuffer(shape)
			if err != nil {
				panic(err)
			}
			backend.PutBuffer(buf)
			put <- buf
		}()
		want := <-put
		got := make(chan *Buffer)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			buf, err := backend.GetBuffer(shape)
			if err != nil {
				panic(err)
			}
			got <- buf
		}()
		if buf := <-got; buf != want {
			t.Fatalf("round %d: GetBuffer on another thread allocated a new buffer instead of reusing the free one", i)
		} else {
			backend.PutBuffer(buf)
		}
	}
}

// Free buffers survive one aging (a garbage collection) and are dropped by
// the second, as sync.Pool's were; the pools age after garbage collections.
func TestBufferPoolAging(t *testing.T) {
	var p bufferPool
	a, b := &Buffer{}, &Buffer{}
	p.put(a)
	p.age()
	p.put(b)
	if got := p.get(); got != b {
		t.Fatalf("get = %p, want the most recently put buffer %p", got, b)
	}
	if got := p.get(); got != a {
		t.Fatalf("get = %p, want the buffer kept through one aging %p", got, a)
	}
	if got := p.get(); got != nil {
		t.Fatalf("get on an empty pool = %p, want nil", got)
	}
	p.put(a)
	p.age()
	p.age()
	if got := p.get(); got != nil {
		t.Fatalf("get after two agings = %p, want nil (dropped)", got)
	}

	// The registered pools age after garbage collections.
	var q bufferPool
	registerBufferPool(&q)
	q.put(a)
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(time.Millisecond) // the finalizer goroutine ages the pools
		q.mu.Lock()
		empty := len(q.free) == 0 && len(q.victim) == 0
		q.mu.Unlock()
		if empty {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a registered pool still holds its buffer after garbage collections for 10 s")
		}
	}
	runtime.KeepAlive(&q)
}
