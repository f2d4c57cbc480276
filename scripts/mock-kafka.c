/* A Kafka-protocol broker for tests and the demo: librdkafka's mock cluster, kept alive until stdin closes
 * or SIGTERM. Usage: mock-kafka BROKERS TOPIC:PARTITIONS... ; prints "BOOTSTRAP <host:port,...>" once ready. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  char err[512];
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  if (brokers < 1) brokers = 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "mock-kafka: %s\n", err); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "mock-kafka: could not create the mock cluster\n"); return 1; }
  for (int i = 2; i < argc; i++) {
    char topic[256];
    int partitions = 1;
    char *colon = strchr(argv[i], ':');
    size_t len = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
    if (len == 0 || len >= sizeof topic) { fprintf(stderr, "mock-kafka: bad topic %s\n", argv[i]); return 2; }
    memcpy(topic, argv[i], len);
    topic[len] = 0;
    if (colon) partitions = atoi(colon + 1);
    if (rd_kafka_mock_topic_create(mc, topic, partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "mock-kafka: could not create topic %s\n", topic);
      return 1;
    }
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);
  /* Lives as long as the parent keeps our stdin open, so a crashed test run leaves no orphan broker. */
  char buf[64];
  while (!stop) {
    ssize_t r = read(0, buf, sizeof buf);
    if (r <= 0) break;
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
