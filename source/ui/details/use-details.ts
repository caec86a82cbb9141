/**
 * The details pane's hook: the job it shows, its family (use-family.ts) and
 * files (read again when the archive changed), the selected line (family
 * lines first, then files), and the commands on the job: download its missing
 * files, open an image, go to a relative.
 */
import path from 'node:path';
import {useEffect, useMemo, useRef} from 'react';
import type {DownloadControls} from '../../core/downloads/types.js';
import type {JobFile} from '../../core/archive/images.js';
import type {Job} from '../../core/job.js';
import {toSingleLine} from '../../core/terminal-text.js';
import type {ArchiveSource} from '../archive-source.js';
import type {CommandHandlers} from '../keys.js';
import {listCommands} from '../list-commands.js';
import type {TuiServices} from '../services.js';
import {useSyncState} from '../use-sync-state.js';
import {useFamily, type FamilyOptions} from './use-family.js';
import {pictureFiles, previewFiles, selectedPicture} from './use-preview.js';

export interface DetailsOptions {
	archive: ArchiveSource;
	/** The job the pane shows and d/o act on, as of now (handlers call it when a key arrives). */
	currentJob: () => Job | undefined;
	/** Bumped when archived data changed: the file list is read again. */
	dataVersion: number;
	engine: DownloadControls;
	/** Take an engine snapshot now, so queued files show at once. */
	refreshSnapshot: () => void;
	openImage: TuiServices['openImage'];
	info: (text: string) => void;
	jumpTo: FamilyOptions['jumpTo'];
	clearFilter: FamilyOptions['clearFilter'];
}

/**
 * The shown job, its family lines and files, the selected line (`row`: family
 * lines, then files) and file; `commands` for the details pane, `jobCommands`
 * for d/o/u in the jobs pane.
 */
export function useDetails({archive, currentJob, dataVersion, engine, refreshSnapshot, openImage, info, jumpTo, clearFilter}: DetailsOptions) {
	const job = currentJob();
	const images = useMemo(() => (job ? archive.images.ofJob(job.id) : []), [archive, job?.id, dataVersion]);
	const like = useMemo(() => (job ? archive.likes.likeOf(job.id) : undefined), [archive, job?.id, dataVersion]);
	const family = useFamily({archive, job, dataVersion, jumpTo, clearFilter, info});
	const familyRef = useRef(family.lines);
	familyRef.current = family.lines;
	const [row, setRow, rowRef] = useSyncState(0);
	const startLine = useRef(family.takeStartLine);
	startLine.current = family.takeStartLine;
	useEffect(() => setRow(startLine.current()), [job?.id, setRow]);
	const fileIndex = Math.max(0, row - family.lines.length);

	const handlers = useMemo(() => {
		const filesOf = (target: Job | undefined) => (target ? archive.images.ofJob(target.id) : []);
		const lastRow = () => Math.max(0, familyRef.current.length + filesOf(currentJob()).length - 1);
		/** The file under the cursor, or (on a family line) the first downloaded one. */
		const selectedFile = (files: JobFile[]) => files[rowRef.current - familyRef.current.length] ?? files.find((file) => file.status === 'done');
		/** Open the image `pick` chooses among the current job's files, or say why not. */
		const open = (pick: (files: JobFile[]) => JobFile | undefined) => () => {
			const target = currentJob();
			const image = pick(filesOf(target));
			if (!image || image.status !== 'done' || !image.path) {
				return info(target ? 'no downloaded image for this job yet (d downloads it)' : 'no job selected');
			}
			info(toSingleLine(openImage(path.join(archive.dir, image.path))));
		};
		const downloadJob = () => {
			const target = currentJob();
			if (!target) return info('no job selected');
			const queued = engine.enqueueMissing({jobIds: [target.id]});
			refreshSnapshot();
			info(queued ? `queued ${queued} file${queued === 1 ? '' : 's'} of ${toSingleLine(target.id)}` : 'nothing missing for this job');
		};
		/** `[`/`]`: select the previous/next picture file of the job (the preview and `o` follow the selection). */
		const stepImage = (step: number) => () => {
			const files = previewFiles(currentJob(), filesOf(currentJob()));
			const pictures = pictureFiles(files);
			const current = selectedPicture(files, Math.max(0, rowRef.current - familyRef.current.length));
			if (pictures.length === 0 || !current) return info('this job has no images');
			const next = pictures[(pictures.indexOf(current) + step + pictures.length) % pictures.length]!;
			// Files follow the family lines in the pane's list.
			setRow(familyRef.current.length + files.indexOf(next));
		};
		const imageCommands: CommandHandlers = {'prev-image': stepImage(-1), 'next-image': stepImage(1)};
		const commands: CommandHandlers = {
			// The lines are few: a page is one line.
			...listCommands(
				(delta) => setRow((index) => Math.max(0, Math.min(lastRow(), index + delta))),
				() => 1,
				() => setRow(0),
				() => setRow(lastRow()),
			),
			open: open(selectedFile),
			jump() {
				const line = familyRef.current[rowRef.current];
				if (line) family.jump(line);
				else open(selectedFile)();
			},
			'go-parent': () => family.toParent(currentJob()),
			'download-job': downloadJob,
			...imageCommands,
		};
		const jobCommands: CommandHandlers = {
			open: open((files) => files.find((file) => file.status === 'done')),
			'go-parent': () => family.toParent(currentJob()),
			'download-job': downloadJob,
			...imageCommands,
		};
		return {commands, jobCommands, imageCommands};
	}, [archive, currentJob, engine, refreshSnapshot, openImage, info, setRow, rowRef, family.jump, family.toParent]);
	return {job, images, like, family: family.lines, row, fileIndex, ...handlers};
}
