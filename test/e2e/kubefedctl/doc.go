// Package kubefedctl holds the end-to-end tests of the kubefedctl join and
// unjoin commands. They run the commands in-process, through the cobra
// command and through the Join and Unjoin functions, against a local host
// and two member clusters from test/framework, and check the objects that
// end up in each cluster, that the registered credentials really work, and
// what the user is told when something fails.
package kubefedctl
