// The yardstick for the reconciler benchmark: the plain loop's work (create each RecurringJob,
// merge-patch its Volume's job label) done by client-go the way Go controllers do it: the dynamic
// client, one pooled HTTP/2 connection, no client-side rate limit, `-concurrency` workers.
//
//	client-go-yardstick -kubeconfig <file> -work <file> -concurrency 4
//
// The work file is JSON lines written by bench/reconciler/run.ts, one per PVC:
// {"namespace": "longhorn-system", "job": {RecurringJob object}, "volume": "<name>", "label": "<key>"}.
// Prints {"seconds": <wall time of the writes>, "cpuSeconds": <user + system>, "maxRssMiB": <peak RSS>}
// on stdout.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

type workItem struct {
	Namespace string                 `json:"namespace"`
	Job       map[string]interface{} `json:"job"`
	Volume    string                 `json:"volume"`
	Label     string                 `json:"label"`
}

var (
	recurringJobs = schema.GroupVersionResource{Group: "longhorn.io", Version: "v1beta2", Resource: "recurringjobs"}
	volumes       = schema.GroupVersionResource{Group: "longhorn.io", Version: "v1beta2", Resource: "volumes"}
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	workFile := flag.String("work", "", "JSON lines, one work item per PVC")
	concurrency := flag.Int("concurrency", 4, "concurrent workers")
	flag.Parse()
	if err := run(*kubeconfig, *workFile, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "client-go-yardstick:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, workFile string, concurrency int) error {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	config.QPS = -1 // no client-side rate limit, as the Node plain loop has none
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	items, err := readWork(workFile)
	if err != nil {
		return err
	}
	ctx := context.Background()
	work := make(chan workItem)
	errs := make(chan error, concurrency)
	var wg sync.WaitGroup
	started := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for item := range work {
				if err := write(ctx, client, item); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var failed error
feed:
	for _, item := range items {
		select {
		case work <- item:
		case failed = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	if failed == nil && len(errs) > 0 {
		failed = <-errs
	}
	if failed != nil {
		return failed
	}
	seconds := time.Since(started).Seconds()
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return err
	}
	cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
	return json.NewEncoder(os.Stdout).Encode(map[string]float64{"seconds": seconds, "cpuSeconds": cpu, "maxRssMiB": float64(usage.Maxrss) / 1024})
}

func write(ctx context.Context, client dynamic.Interface, item workItem) error {
	job := &unstructured.Unstructured{Object: item.Job}
	if _, err := client.Resource(recurringJobs).Namespace(item.Namespace).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create %s: %w", job.GetName(), err)
	}
	patch, err := json.Marshal(map[string]interface{}{"metadata": map[string]interface{}{"labels": map[string]string{item.Label: "enabled"}}})
	if err != nil {
		return err
	}
	if _, err := client.Resource(volumes).Namespace(item.Namespace).Patch(ctx, item.Volume, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch volume %s: %w", item.Volume, err)
	}
	return nil
}

func readWork(path string) ([]workItem, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var items []workItem
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var item workItem
		if err := json.Unmarshal(scanner.Bytes(), &item); err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, scanner.Err()
}
