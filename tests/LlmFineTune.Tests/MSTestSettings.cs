// Torch keeps global state (seed, threads, grad mode); test classes opt in to parallelism explicitly.
[assembly: DoNotParallelize]
