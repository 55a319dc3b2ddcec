// Package ckpt saves and restores training state atomically: every variable
// of a GoMLX model.Store (weights, BatchNorm statistics, optimizer moments,
// the store's RNG state) plus the loop's own state (step, loss history, any
// JSON value), in one self-checking file per checkpoint.
//
// GoMLX's own ml/model/checkpoint writes two files in place with os.Create
// and no fsync, so an interrupt mid-save can leave a truncated "latest"
// checkpoint. This package writes one file to a temporary name in the same
// directory, fsyncs it, renames it over its final name and fsyncs the
// directory: a crash or a SIGINT at any moment leaves either the old set of
// checkpoints or the old set plus the complete new one.
//
// # File format (.ckpt)
//
//	magic    8 bytes  "ARCKPT01"
//	hlen     uint64   little-endian length of the header
//	hcrc     uint32   little-endian CRC-32C of the header bytes
//	header   hlen bytes of JSON (Header): identity, step, extra state, and for
//	         each tensor its name, dtype, shape, offset, length and CRC-32C
//	data     the tensors' raw little-endian bytes, back to back
//
// A file whose size differs from what its header announces is "truncated";
// a CRC that does not match is "corrupt". Both are reported with the file
// name and what was wrong.
//
// # Identity
//
// Every checkpoint carries an Identity: the model's name and the
// hyperparameters that fix its variables' shapes (e.g. filters, latent size).
// Loading a checkpoint whose identity differs from the caller's, or whose
// tensors' shapes differ from variables already in the store, fails with an
// error naming the file and every mismatch; nothing on disk is touched.
//
// # API
//
//	dir, err := ckpt.OpenWriter(path, ckpt.Identity{Model: "dcgan", Params: map[string]any{"filters": 64}}, 3)
//	defer dir.Close()                              // releases the directory's lock
//	path, err := dir.Save(store, step, extra)      // atomic; then keeps the newest 3 loadable
//	info, err := dir.Load(store, &extra)           // newest valid checkpoint into store
//	if errors.Is(err, ckpt.ErrNoCheckpoint) { ... start fresh ... }
//
// # Writers and readers
//
// A training run opens its directory with OpenWriter: it checks that the
// directory is writable (a probe file), takes an OS file lock (flock) on
// LockFile, which the OS releases when the process exits or crashes, writes
// the holder (pid, host, command, start time) into it, and removes the
// temporary files of killed saves. A second writer gets a *LockedError
// naming the holder. CheckWriter makes the same checks without keeping the
// lock, for commands that have slow work to do first. Readers (sample,
// play, export) use Open and take no lock.
//
// Pruning (after each Save) keeps the newest keep checkpoints that verify
// completely and deletes older ones; an unreadable checkpoint is never
// counted among the kept: it is renamed to name+CorruptSuffix, out of the
// listing, so a corrupt newest file never costs a good checkpoint.
//
// Load reads the newest checkpoint; if that one is truncated or corrupt it
// says so on Dir.Log (stderr by default) and falls back to the next older
// one, never deleting anything. An identity or shape mismatch is not skipped:
// it is returned as a *MismatchError, since an older file in the same
// directory is almost certainly from the same other model.
//
// Variables present in the file but not yet in the store are created with
// the saved value and trainable flag, so a model whose variables are created
// lazily at graph-building time (layers, optimizer moments) picks them up
// when it builds its graph; variables already in the store are checked for
// shape and dtype and overwritten.
//
// ReadFile and ReadHeader inspect a checkpoint without a store; Restore puts
// a File into a store after the same checks; Dir.List lists the files newest
// first; FileName(step) is a checkpoint's name ("ckpt-0000000042.ckpt");
// Verify checks a file without keeping it. Saves write through
// internal/atomicfile, as every file the project writes.
//
// # Training-run helper
//
// Run keeps a CleanRL-style loop short without hiding it:
//
//	run := ckpt.NewRun(ctx, ckpt.RunOptions{SaveEvery: 3 * time.Minute, Budget: budget})
//	for step := start; step < total && !run.Done(); step++ {
//		... one training step ...
//		run.Progress(step+1, total, "d_loss=%.3f g_loss=%.3f", dLoss, gLoss)
//		if run.SaveDue() { save() }
//	}
//	save() // always, also after an interrupt or when the budget is spent
//
// Done turns true when ctx is cancelled (kernel.InterruptContext: SIGINT from a
// notebook's interrupt button) or the wall-time budget is spent. Progress
// prints one line at most every few seconds with steps/s.
package ckpt
