package dqn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"

	"github.com/arcade-go/arcade/envs/flappy"
)

// FrameID names a frame pushed into a Replay (its serial number).
type FrameID int64

// FrameStack is the flappy.StackSize frames of a state, oldest first.
type FrameStack [flappy.StackSize]FrameID

// Replay is the replay memory: a ring of transitions (s, a, r, s', terminal)
// whose states are stacks of frame ids into a second ring of binary frames,
// each stored once as a flappy.PackedFrame (512 bytes). 50,000 transitions take ~35 MB
// instead of the 6.5 GB that float32 copies of s and s' would.
//
// It is safe for one actor (PushFrame, Add) and one learner (Sample) at once.
type Replay struct {
	mu       sync.Mutex
	frames   []flappy.PackedFrame // ring of frameCap frames; frame f lives in slot f % frameCap
	frameCap int64
	pushed   int64 // frames pushed so far

	capacity int
	head     int // next slot to write
	n        int // transitions held
	added    int64
	s, s2    []FrameStack
	action   []uint8
	reward   []float32
	done     []bool
	nsteps   []uint8 // steps between s and s' (n-step returns; 1 for the reference)

	picked []int // scratch for Sample
}

// NewReplay returns an empty replay memory for capacity transitions made by
// up to games interleaved games.
func NewReplay(capacity, games int) (*Replay, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("dqn: replay capacity %d, want >= 1", capacity)
	}
	if games < 1 {
		games = 1
	}
	// Each transition brings one new frame, a reset one more; the slack keeps
	// the frames of the oldest transitions alive until they are evicted.
	frameCap := int64(capacity) + int64(capacity)/4 + 64*int64(games) + 64
	return &Replay{
		frames:   make([]flappy.PackedFrame, frameCap),
		frameCap: frameCap,
		capacity: capacity,
		s:        make([]FrameStack, capacity),
		s2:       make([]FrameStack, capacity),
		action:   make([]uint8, capacity),
		reward:   make([]float32, capacity),
		done:     make([]bool, capacity),
		nsteps:   make([]uint8, capacity),
	}, nil
}

// Len returns the number of transitions held.
func (r *Replay) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Added returns the number of transitions ever added.
func (r *Replay) Added() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.added
}

// PushFrame stores a frame and returns its id.
func (r *Replay) PushFrame(f *flappy.Frame) FrameID {
	packed := f.Pack()
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.pushed
	r.frames[id%r.frameCap] = packed
	r.pushed++
	r.evictStale()
	return FrameID(id)
}

// live reports whether frame id is still stored (lock held).
func (r *Replay) live(id FrameID) bool {
	return int64(id) >= 0 && int64(id) < r.pushed && int64(id) >= r.pushed-r.frameCap
}

// evictStale drops the oldest transitions whose frames were overwritten (lock held).
func (r *Replay) evictStale() {
	for r.n > 0 {
		old := (r.head - r.n + r.capacity) % r.capacity
		if r.stacksLive(old) {
			return
		}
		r.n--
	}
}

func (r *Replay) stacksLive(i int) bool {
	for k := range flappy.StackSize {
		if !r.live(r.s[i][k]) || !r.live(r.s2[i][k]) {
			return false
		}
	}
	return true
}

// Add stores the transition (s, action, reward, s2, terminal), evicting the
// oldest one when full. Every frame of s and s2 must be live.
func (r *Replay) Add(s FrameStack, action int, reward float32, s2 FrameStack, terminal bool) error {
	return r.AddN(s, action, reward, s2, terminal, 1)
}

// AddN stores an n-step transition: s2 is n decisions after s and reward the
// discounted sum of the n rewards between them.
func (r *Replay) AddN(s FrameStack, action int, reward float32, s2 FrameStack, terminal bool, n int) error {
	if action < 0 || action > 255 {
		return fmt.Errorf("dqn: action %d out of range", action)
	}
	if n < 1 || n > 127 {
		return fmt.Errorf("dqn: n-step transition with n = %d, want 1..127", n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range flappy.StackSize {
		if !r.live(s[k]) || !r.live(s2[k]) {
			return fmt.Errorf("dqn: transition refers to a frame not in the replay memory (s=%v s'=%v, %d frames pushed)", s, s2, r.pushed)
		}
	}
	i := r.head
	r.s[i], r.s2[i], r.action[i], r.reward[i], r.done[i], r.nsteps[i] = s, s2, uint8(action), reward, terminal, uint8(n)
	r.head = (r.head + 1) % r.capacity
	if r.n < r.capacity {
		r.n++
	}
	r.added++
	return nil
}

// Batch is a sampled minibatch in preallocated buffers, NCHW.
type Batch struct {
	Size       int
	States     []float32 // [Size, 4, 64, 64], flappy.Object / flappy.Background
	NextStates []float32 // [Size, 4, 64, 64]
	Actions    []int32   // [Size]
	Rewards    []float32 // [Size]
	Terminal   []float32 // [Size], 1 where s' ended the episode
	Steps      []int32   // [Size], decisions between s and s' (1 unless n-step returns)
}

// NewBatch allocates the buffers of a batch of size transitions.
func NewBatch(size int) *Batch {
	return &Batch{
		Size:       size,
		States:     make([]float32, size*flappy.ObservationSize),
		NextStates: make([]float32, size*flappy.ObservationSize),
		Actions:    make([]int32, size),
		Rewards:    make([]float32, size),
		Terminal:   make([]float32, size),
		Steps:      make([]int32, size),
	}
}

// ErrNotEnough is returned by Sample when the memory holds fewer transitions than the batch.
var ErrNotEnough = errors.New("dqn: replay memory holds fewer transitions than the batch")

// Sample fills b with b.Size distinct transitions drawn uniformly (as the
// reference's random.sample).
func (r *Replay) Sample(rng *rand.Rand, b *Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n < b.Size {
		return ErrNotEnough
	}
	r.picked = r.picked[:0]
	first := (r.head - r.n + r.capacity) % r.capacity
	for len(r.picked) < b.Size {
		i := (first + rng.IntN(r.n)) % r.capacity
		dup := false
		for _, j := range r.picked {
			if j == i {
				dup = true
				break
			}
		}
		if !dup && r.stacksLive(i) {
			r.picked = append(r.picked, i)
		}
	}
	for bi, i := range r.picked {
		r.unpackStack(r.s[i], b.States[bi*flappy.ObservationSize:])
		r.unpackStack(r.s2[i], b.NextStates[bi*flappy.ObservationSize:])
		b.Actions[bi] = int32(r.action[i])
		b.Rewards[bi] = r.reward[i]
		b.Steps[bi] = int32(max(r.nsteps[i], 1))
		b.Terminal[bi] = 0
		if r.done[i] {
			b.Terminal[bi] = 1
		}
	}
	return nil
}

// unpackStack writes the frames of st into dst[:flappy.ObservationSize] as
// the network's input (lock held).
func (r *Replay) unpackStack(st FrameStack, dst []float32) {
	for k, id := range st {
		_ = r.frames[int64(id)%r.frameCap].WriteFloat32(dst[k*flappy.FramePixels:])
	}
}

// StackToFloats writes the state made of frames st into
// dst[:flappy.ObservationSize] as the network's input, for the actor.
func (r *Replay) StackToFloats(st FrameStack, dst []float32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range st {
		if !r.live(id) {
			return fmt.Errorf("dqn: frame %d is not in the replay memory", id)
		}
	}
	r.unpackStack(st, dst)
	return nil
}

const replayMagic = "ARCADE-DQN-REPLAY-2\n"

// WriteTo saves the memory (frames still referenced and transitions) in a
// compact binary form.
func (r *Replay) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	cw.Write([]byte(replayMagic))
	hdr := []int64{int64(r.capacity), r.frameCap, r.pushed, int64(r.n), r.added}
	binary.Write(cw, binary.LittleEndian, hdr)
	// Frames: the live window [pushed - min(pushed, frameCap), pushed).
	lo := max(r.pushed-r.frameCap, 0)
	for f := lo; f < r.pushed; f++ {
		binary.Write(cw, binary.LittleEndian, r.frames[f%r.frameCap][:])
	}
	first := (r.head - r.n + r.capacity) % r.capacity
	for k := range r.n {
		i := (first + k) % r.capacity
		binary.Write(cw, binary.LittleEndian, r.s[i][:])
		binary.Write(cw, binary.LittleEndian, r.s2[i][:])
		d := r.nsteps[i] << 1
		if r.done[i] {
			d |= 1
		}
		binary.Write(cw, binary.LittleEndian, []uint8{r.action[i], d})
		binary.Write(cw, binary.LittleEndian, r.reward[i])
	}
	if cw.err != nil {
		return cw.n, cw.err
	}
	return cw.n, bw.Flush()
}

// ReadFrom replaces the memory's content with a stream written by WriteTo.
// The capacity must match; on error the memory is left unchanged.
func (r *Replay) ReadFrom(rd io.Reader) (int64, error) {
	br := bufio.NewReaderSize(rd, 1<<20)
	magic := make([]byte, len(replayMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != replayMagic {
		return 0, errors.New("dqn: not a replay memory file")
	}
	hdr := make([]int64, 5)
	if err := binary.Read(br, binary.LittleEndian, hdr); err != nil {
		return 0, fmt.Errorf("dqn: replay memory header: %w", err)
	}
	capacity, frameCap, pushed, n, added := hdr[0], hdr[1], hdr[2], hdr[3], hdr[4]
	if int(capacity) != r.capacity || frameCap != r.frameCap {
		return 0, fmt.Errorf("dqn: replay memory file holds capacity %d (frames %d), this memory %d (frames %d)", capacity, frameCap, r.capacity, r.frameCap)
	}
	if pushed < 0 || n < 0 || n > capacity || added < n {
		return 0, errors.New("dqn: corrupt replay memory header")
	}
	nr, err := NewReplay(r.capacity, 1)
	if err != nil {
		return 0, err
	}
	nr.frameCap = r.frameCap
	nr.frames = make([]flappy.PackedFrame, r.frameCap)
	nr.pushed = pushed
	lo := max(pushed-frameCap, 0)
	for f := lo; f < pushed; f++ {
		if err := binary.Read(br, binary.LittleEndian, nr.frames[f%frameCap][:]); err != nil {
			return 0, fmt.Errorf("dqn: replay memory frames: %w", err)
		}
	}
	for k := range int(n) {
		var ad [2]uint8
		if err := errors.Join(
			binary.Read(br, binary.LittleEndian, nr.s[k][:]),
			binary.Read(br, binary.LittleEndian, nr.s2[k][:]),
			binary.Read(br, binary.LittleEndian, ad[:]),
			binary.Read(br, binary.LittleEndian, &nr.reward[k])); err != nil {
			return 0, fmt.Errorf("dqn: replay memory transitions: %w", err)
		}
		nr.action[k], nr.done[k], nr.nsteps[k] = ad[0], ad[1]&1 == 1, max(ad[1]>>1, 1)
		if !nr.stacksLive(k) {
			return 0, errors.New("dqn: corrupt replay memory (a transition refers to a missing frame)")
		}
	}
	nr.n, nr.head, nr.added = int(n), int(n)%r.capacity, added
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames, r.pushed = nr.frames, nr.pushed
	r.s, r.s2, r.action, r.reward, r.done, r.nsteps = nr.s, nr.s2, nr.action, nr.reward, nr.done, nr.nsteps
	r.n, r.head, r.added = nr.n, nr.head, nr.added
	return 0, nil
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
