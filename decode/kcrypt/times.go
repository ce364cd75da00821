package kcrypt

import "time"

func usec(n int) time.Duration { return time.Duration(n) * time.Microsecond }
