// crosscore: what it costs one CPU to read memory that another CPU has just
// written, against memory it wrote itself: CPU 0 writes a buffer, then CPU 0
// or CPU 1 sums it (vectorised), alternately, and the medians of the reads
// are printed for buffers from 256 KB (in a core's own L2) to 16 MB.
//
// On a multi-core step every operation whose input another core produced pays
// the second figure; a 1-thread step pays the first. See bench/README.md
// (ninth session).
//
//	gcc -O3 -march=native -ffast-math -pthread bench/crosscore/crosscore.c -o /tmp/crosscore && /tmp/crosscore
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { REPS = 201 };

static float *buf;
static size_t n;
static atomic_int turn;
static double reads[2][REPS];
static volatile float sink;

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void pin(int cpu) {
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (pthread_setaffinity_np(pthread_self(), sizeof s, &s) != 0) {
		fprintf(stderr, "crosscore: cannot run on CPU %d\n", cpu);
		exit(1);
	}
}

static double sum(void) {
	double t = now();
	float s = 0;
	for (size_t i = 0; i < n; i++) s += buf[i];
	sink = s;
	return now() - t;
}

// Turn 3r: CPU 0 writes; 3r+1: CPU 0 reads; 3r+2: CPU 0 writes again, then
// CPU 1 reads (both reads follow a write by CPU 0).
static void *run(void *arg) {
	int cpu = (int)(long)arg;
	pin(cpu);
	for (int r = 0; r < REPS; r++) {
		if (cpu == 0) {
			while (atomic_load(&turn) != 2 * r) {}
			for (size_t i = 0; i < n; i++) buf[i] = buf[i] * 0.5f + 1;
			reads[0][r] = sum();
			for (size_t i = 0; i < n; i++) buf[i] = buf[i] * 0.5f + 1;
			atomic_store(&turn, 2 * r + 1);
		} else {
			while (atomic_load(&turn) != 2 * r + 1) {}
			reads[1][r] = sum();
			atomic_store(&turn, 2 * r + 2);
		}
	}
	return 0;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void) {
	for (int kb = 256; kb <= 16384; kb *= 4) {
		n = (size_t)kb * 256;
		buf = calloc(n, sizeof *buf);
		atomic_store(&turn, 0);
		pthread_t t0, t1;
		pthread_create(&t0, 0, run, (void *)0);
		pthread_create(&t1, 0, run, (void *)1);
		pthread_join(t0, 0);
		pthread_join(t1, 0);
		qsort(reads[0], REPS, sizeof(double), cmp);
		qsort(reads[1], REPS, sizeof(double), cmp);
		double own = reads[0][REPS / 2], other = reads[1][REPS / 2];
		printf("%6d KB: read after its own write %7.1f us (%5.1f GB/s), after the other CPU's %7.1f us (%5.1f GB/s): %.2fx\n",
		       kb, own * 1e6, kb * 1024.0 / own / 1e9, other * 1e6, kb * 1024.0 / other / 1e9, other / own);
		free(buf);
	}
	return 0;
}
