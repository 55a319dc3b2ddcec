package main

import "github.com/arcade-go/arcade/models/dcgan"

// checkShapeFlags checks the flags every GAN command has (ganFlags).
func checkShapeFlags(c dcgan.Config) flagErrors {
	var bad flagErrors
	bad.check(c.GenFilters >= 1, "-gen-filters %d: want at least 1", c.GenFilters)
	bad.check(c.DiscrFilters >= 1, "-discr-filters %d: want at least 1", c.DiscrFilters)
	bad.check(c.LatentSize >= 1, "-latent %d: want at least 1", c.LatentSize)
	return bad
}

// checkGANFlags checks the flags of train gan bound to the config.
func checkGANFlags(c dcgan.Config) flagErrors {
	bad := checkShapeFlags(c)
	bad.check(c.BatchSize >= 1, "-batch %d: want at least 1", c.BatchSize)
	bad.check(c.LearningRate > 0, "-lr %g: want a positive learning rate", c.LearningRate)
	bad.check(c.LeakySlope >= 0 && c.LeakySlope < 1, "-leaky %g: want a slope in [0, 1)", c.LeakySlope)
	bad.check(c.DiscrLearningRate >= 0, "-discr-lr %g: want a positive learning rate, or 0 for -lr", c.DiscrLearningRate)
	bad.check(c.RealLabel > 0 && c.RealLabel <= 1, "-real-label %g: want a label in (0, 1]", c.RealLabel)
	bad.check(c.SpectralNorm >= 0, "-spectral-norm %d: want 0 (off) or at least 1 power iteration", c.SpectralNorm)
	bad.check(c.ReportEvery >= 1, "-report-every %d: want at least 1", c.ReportEvery)
	bad.check(c.ImageEvery >= 1, "-image-every %d: want at least 1", c.ImageEvery)
	return bad
}
