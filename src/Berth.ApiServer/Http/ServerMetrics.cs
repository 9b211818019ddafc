using Prometheus;

namespace Berth.ApiServer.Http;

/// <summary>
/// Prometheus metrics named as kube-apiserver's (apiserver_request_total, apiserver_request_duration_seconds,
/// etcd_request_duration_seconds). Labels carry verbs, resources and codes only: never names, bodies or users.
/// </summary>
internal static class ServerMetrics
{
    public static readonly Counter Requests = Metrics.CreateCounter(
        "apiserver_request_total",
        "Requests by verb, resource, subresource and HTTP code.",
        new CounterConfiguration { LabelNames = ["verb", "group", "version", "resource", "subresource", "code"] });

    public static readonly Histogram Latency = Metrics.CreateHistogram(
        "apiserver_request_duration_seconds",
        "Response latency by verb and resource (watches until their headers are written).",
        new HistogramConfiguration
        {
            LabelNames = ["verb", "resource", "subresource"],
            Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
        });

    public static readonly Histogram EtcdLatency = Metrics.CreateHistogram(
        "etcd_request_duration_seconds",
        "Latency of the storage operations on etcd, by operation.",
        new HistogramConfiguration
        {
            LabelNames = ["operation", "type"],
            Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });
}
