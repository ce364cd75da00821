// Command tmpprof is a temporary helper (to be removed) profiling flow and report.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/kerbtrace/kerbtrace/decode"
	"github.com/kerbtrace/kerbtrace/flow"
	"github.com/kerbtrace/kerbtrace/report"
)

func main() {
	f, _ := os.Open(os.Args[1])
	t0 := time.Now()
	d := decode.NewDissector()
	if err := d.Add("x.pcap", f); err != nil {
		panic(err)
	}
	dres := d.Result()
	t1 := time.Now()
	pf, _ := os.Create(os.Args[2])
	pprof.StartCPUProfile(pf)
	fres := flow.Analyze(dres)
	t2 := time.Now()
	rep := report.Build(dres, fres, report.Options{})
	report.JSON(io.Discard, rep, report.RenderOptions{})
	t3 := time.Now()
	pprof.StopCPUProfile()
	fmt.Printf("decode %v flow %v report %v msgs %d flows %d\n", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), len(dres.Messages), len(fres.Flows))
}
