// Package overrides applies a member cluster's overrides (spec.overrides of
// a federated object: RFC 6902 add, remove and replace operations) to the
// object built from the template for that cluster.
package overrides
