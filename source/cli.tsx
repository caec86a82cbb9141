#!/usr/bin/env node
// Placeholder entry point; the real CLI (meow → tui | batch | subcommand) is being written.
console.log('mj-tui');
