package dev.interlock.workflows;

/** A webhook delivery was given up on after its retry window. */
public record DeliveryFailure(String deliveryId, String reason) {}
