package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSmoke runs the whole benchmark on a tiny mixed capture (about 2 MB)
// and a tiny auth-only one: the table and the ratios are printed and the
// reports with GOMAXPROCS=1 and 2 are identical.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kerbtrace and the pcapgo floor")
	}
	args := []string{"-mixed-size", "2MB", "-mixed-clients", "20", "-clients", "20"}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Log("no tshark: measured without it")
		args = append(args, "-no-tshark")
	}
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	for _, want := range []string{
		"mixed: reports with GOMAXPROCS=1 and 2: identical",
		"auth-only: reports with GOMAXPROCS=1 and 2: identical",
		"vs floor",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "mixed ") || strings.HasPrefix(line, "auth-only ") {
			if !strings.Contains(line, "x ") {
				t.Errorf("no ratio in %q", line)
			}
		}
	}
	t.Log(s)
}

// TestBestInTurns checks that the commands take turns (a slow spell of the
// host then hits every tool alike), in an order that changes from turn to
// turn, and that each keeps a measurement of its own.
func TestBestInTurns(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	log := filepath.Join(t.TempDir(), "order")
	step := func(name string, lines int) []string {
		return []string{"-c", fmt.Sprintf("echo %s >> %s; seq %d", name, log, lines)}
	}
	var a, b measurement
	runs := []timedRun{{&a, "sh", step("a", 1), nil}, {&b, "sh", step("b", 3), nil}}
	if err := bestInTurns(3, runs); err != nil {
		t.Fatal(err)
	}
	order, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(order)), []string{"a", "b", "b", "a", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("runs went %v, want %v", got, want)
	}
	if a.lines != 1 || b.lines != 3 || a.wall <= 0 || b.wall <= 0 {
		t.Errorf("measurements a %+v, b %+v: want 1 and 3 lines and a time each", a, b)
	}
}

// TestTurnOrder checks that over a whole square of turns every command
// runs once a turn, comes once in each place (twice when the square has
// 2n rows), and comes directly after every other command equally often:
// in a fixed order the bench's JSON run came after tshark's in every turn
// but the first.
func TestTurnOrder(t *testing.T) {
	if got := turnOrder(0, 4); !slices.Equal(got, []int{0, 1, 3, 2}) {
		t.Errorf("turnOrder(0, 4) = %v, want [0 1 3 2]", got)
	}
	for n := 1; n <= 7; n++ {
		rows := n
		if n%2 == 1 {
			rows = 2 * n
		}
		place := make([][]int, n)
		after := make([][]int, n)
		for k := range n {
			place[k], after[k] = make([]int, n), make([]int, n)
		}
		for turn := range rows {
			order := turnOrder(turn, n)
			seen := make([]bool, n)
			for k, c := range order {
				if c < 0 || c >= n || seen[c] {
					t.Fatalf("n %d turn %d: %v is not an order of the %d commands", n, turn, order, n)
				}
				seen[c] = true
				place[c][k]++
				if k > 0 {
					after[order[k-1]][c]++
				}
			}
			if !slices.Equal(turnOrder(turn+rows, n), order) {
				t.Errorf("n %d: turn %d and turn %d differ", n, turn, turn+rows)
			}
		}
		for c := range n {
			for k := range n {
				if place[c][k] != rows/n {
					t.Errorf("n %d: command %d came %d times in place %d, want %d", n, c, place[c][k], k, rows/n)
				}
				if c != k && after[c][k] != rows/n {
					t.Errorf("n %d: command %d came %d times right after %d, want %d", n, k, after[c][k], c, rows/n)
				}
			}
		}
	}
}

// TestFreshMemory checks that the machine line's memory speed is a speed.
func TestFreshMemory(t *testing.T) {
	for range 3 {
		if v := freshMemory(32 << 20); !(v > 1 && v < 1e7) {
			t.Fatalf("freshMemory(32 MB) = %v MB/s", v)
		}
	}
}
