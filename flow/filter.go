package flow

import "net/netip"

// OnlyClient keeps the flows of one client and their findings, and the
// capture-wide findings that name no other client; flow indices of the kept
// findings follow.
func (r *Result) OnlyClient(client netip.Addr) {
	pos := make([]int, len(r.Flows))
	var flows []Flow
	for i := range r.Flows {
		pos[i] = -1
		if r.Flows[i].Client == client {
			pos[i] = len(flows)
			flows = append(flows, r.Flows[i])
		}
	}
	var fs []Finding
	for _, f := range r.Findings {
		switch {
		case f.flow < 0:
			if f.Client == "" || f.Client == client.String() {
				fs = append(fs, f)
			}
		case pos[f.flow] >= 0:
			f.flow = pos[f.flow]
			fs = append(fs, f)
		}
	}
	r.Flows, r.Findings = flows, fs
}
