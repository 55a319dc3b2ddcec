package main

// idealTime is the step time of perfect parallel work on CPUs whose 1-thread
// step times are t: each CPU does the share of the work its speed allows, so
// the rates add up (1/sum(1/t)). With equal CPUs it is t/N.
func idealTime(t []float64) float64 {
	rate := 0.0
	for _, v := range t {
		if v <= 0 {
			return 0
		}
		rate += 1 / v
	}
	return safeDiv(1, rate)
}
