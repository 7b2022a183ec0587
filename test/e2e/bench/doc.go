// Package bench measures propagation against the raw write limit of the
// member API servers, on local clusters (a host and three members). It
// holds benchmarks only; `make bench` runs them. Every number is reported
// next to the raw client-go figure measured in the same run, because the
// absolute times depend on the machine: the control planes of all four
// clusters and kubefed share its cores.
package bench
