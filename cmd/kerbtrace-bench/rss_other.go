//go:build !unix

package main

import "os"

// maxRSS returns 0: the peak resident set is read on Unix systems only.
func maxRSS(*os.ProcessState) int64 { return 0 }

// selfMaxRSS returns 0: the peak resident set is read on Unix systems only.
func selfMaxRSS() int64 { return 0 }
