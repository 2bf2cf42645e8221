package natsqueue_test

import (
	"context"
	"log"
	"os"
	"os/signal"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// postClaim stands for the billing system's own intake.
func postClaim(key string, export []byte) error {
	log.Printf("claim %s: %d bytes", key, len(export))
	return nil
}

// The billing side: a durable pull consumer reads every export once,
// acknowledging it only after the claim is saved. The message id
// (encounter-rRevision) is the idempotency key.
func Example_billingConsumer() {
	nc, err := nats.Connect("nats://billing.example.org:4222")
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	cons, err := js.CreateOrUpdateConsumer(ctx, "BILLING", jetstream.ConsumerConfig{
		Durable:       "billing", // remembers its position across restarts
		AckPolicy:     jetstream.AckExplicitPolicy,
		FilterSubject: "billing.claims",
	})
	if err != nil {
		log.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		key := m.Headers().Get("Nats-Msg-Id") // e.g. ENC-1042-r3
		if err := postClaim(key, m.Data()); err != nil {
			m.Nak() // delivered again later
			return
		}
		m.Ack()
	})
	if err != nil {
		log.Fatal(err)
	}
	defer cc.Stop()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
}
