//go:build !race

package testutil

// Race reports whether the tests run under the race detector, where
// sync.Pool drops items at random (to shake out reuse bugs), so that
// allocation counts of pooled code are not what a normal build makes.
const Race = false
