/** This process's threads as Linux lists them (/proc/self/task): id, name (`comm`) and nice value (stat field 19). */
import fs from 'node:fs';

export interface ThreadInfo {
	tid: string;
	comm: string;
	nice: number;
}

export function threadsOfThisProcess(): ThreadInfo[] {
	const threads: ThreadInfo[] = [];
	for (const tid of fs.readdirSync('/proc/self/task')) {
		try {
			const comm = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
			// After the name's closing parenthesis, field 3 (state) comes first: nice (field 19) is the 17th.
			const nice = Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
			threads.push({tid, comm, nice});
		} catch {
			// The thread ended between the listing and the read.
		}
	}
	return threads;
}
