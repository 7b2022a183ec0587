// Command etcd builds the etcd server that the local test clusters run.
//
// etcd's own main package lives in a module with replace directives that
// cannot be depended on, so this wrapper calls the server's entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
