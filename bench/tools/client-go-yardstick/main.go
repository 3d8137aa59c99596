// The yardstick for the reconciler benchmark: the plain loop's work (create each RecurringJob,
// merge-patch its Volume's job label) done by client-go the way Go controllers do it: the dynamic
// client, one pooled HTTP/2 connection, no client-side rate limit, `-concurrency` workers.
//
//	client-go-yardstick -kubeconfig <file> -work <file> -concurrency 4
//
// The work file is JSON lines written by bench/reconciler/run.ts, one per PVC:
// {"namespace": "longhorn-system", "job": {RecurringJob object}, "volume": "<name>", "label": "<key>",
// "event": {core/v1 Event object, optional}}.
// Prints {"seconds": <wall time of the job and label writes>, "eventSeconds": <wall time of the Event
// creates, a second pass after the first, 0 without events>, "cpuSeconds": <user + system of both>,
// "maxRssMiB": <peak RSS>} on stdout. The Events are timed apart so that "seconds" stays the plain
// loop's work the reconciler has always been compared with.
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
	Event     map[string]interface{} `json:"event"`
}

var (
	recurringJobs = schema.GroupVersionResource{Group: "longhorn.io", Version: "v1beta2", Resource: "recurringjobs"}
	volumes       = schema.GroupVersionResource{Group: "longhorn.io", Version: "v1beta2", Resource: "volumes"}
	events        = schema.GroupVersionResource{Version: "v1", Resource: "events"}
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
	started := time.Now()
	if err := inParallel(items, concurrency, func(item workItem) error { return write(ctx, client, item) }); err != nil {
		return err
	}
	seconds := time.Since(started).Seconds()
	started = time.Now()
	if err := inParallel(items, concurrency, func(item workItem) error { return writeEvent(ctx, client, item) }); err != nil {
		return err
	}
	eventSeconds := 0.0
	if len(items) > 0 && items[0].Event != nil {
		eventSeconds = time.Since(started).Seconds()
	}
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return err
	}
	cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
	return json.NewEncoder(os.Stdout).Encode(map[string]float64{"seconds": seconds, "eventSeconds": eventSeconds, "cpuSeconds": cpu, "maxRssMiB": float64(usage.Maxrss) / 1024})
}

// inParallel runs do for every item on `concurrency` workers and returns the first error.
func inParallel(items []workItem, concurrency int, do func(workItem) error) error {
	work := make(chan workItem)
	errs := make(chan error, concurrency)
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for item := range work {
				if err := do(item); err != nil {
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
	return failed
}

func writeEvent(ctx context.Context, client dynamic.Interface, item workItem) error {
	if item.Event == nil {
		return nil
	}
	event := &unstructured.Unstructured{Object: item.Event}
	if _, err := client.Resource(events).Namespace(event.GetNamespace()).Create(ctx, event, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create Event %s: %w", event.GetName(), err)
	}
	return nil
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
