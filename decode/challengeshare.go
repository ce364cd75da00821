package decode

import "github.com/kerbtrace/kerbtrace/decode/httpauth"

// challengeShare keeps the last few lists of challenges without tokens
// that HTTP responses carried, so that a response offering the same ones
// as an earlier response shares that list rather than keeping a copy: a
// web server answers every client "Negotiate" or "Negotiate, NTLM" (some
// 140 bytes a response, 5 MB at 20,000 flows). A list that carries a token
// is never shared: its messages point into it.
type challengeShare struct {
	lists [challengeShareLists][]httpauth.Challenge
	next  int
}

// challengeShareLists is how many distinct lists a challengeShare keeps.
const challengeShareLists = 4

// share returns a kept list equal to cs when there is one, else cs, kept
// from then on when it has no token.
func (s *challengeShare) share(cs []httpauth.Challenge) []httpauth.Challenge {
	if len(cs) == 0 {
		return cs
	}
	for _, c := range cs {
		if c.HasToken() {
			return cs
		}
	}
	for _, kept := range s.lists {
		if sameChallenges(kept, cs) {
			return kept
		}
	}
	s.lists[s.next] = cs
	s.next = (s.next + 1) % challengeShareLists
	return cs
}

// sameChallenges reports whether a and b, lists without tokens, hold the
// same challenges.
func sameChallenges(a, b []httpauth.Challenge) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Scheme != y.Scheme || x.TokenB64Len != y.TokenB64Len || x.Params != y.Params || x.User != y.User ||
			x.BadBase64 != y.BadBase64 || x.HasToken() != y.HasToken() || len(x.Token) != len(y.Token) {
			return false
		}
	}
	return true
}
