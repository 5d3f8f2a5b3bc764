package dev.interlock.workflows;

/** Deliver one webhook delivery (one event to one webhook); the payload is in the store. */
public record DeliveryRequest(String deliveryId) {}
