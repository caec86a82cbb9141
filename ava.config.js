export default {
	extensions: {ts: 'module', tsx: 'module'},
	nodeArguments: ['--import=tsx'],
	files: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
	timeout: '2m',
	// Two cores: more workers than that only adds contention to the TUI and download tests.
	concurrency: 2,
	workerThreads: false,
};
