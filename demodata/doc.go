// Package demodata generates roibot's synthetic marketing layer for the
// Online Retail data, which has real orders but no marketing: channels,
// named campaigns, daily ad spend, touchpoints leading to the real orders,
// and funnel events. Everything it makes is labelled synthetic, comes from a
// fixed seed, and carries its ground truth (the last-touch revenue, spend and
// ROI built into each channel) so tests can check the tools against it.
package demodata
