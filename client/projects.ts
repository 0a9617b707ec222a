import * as vscode from 'vscode';
import { Projects, type ProjectInfo } from '../core/protocol';
import type { SluiceClient } from './client';

/** The server's projects in this workspace. */
export async function workspaceProjects(client: SluiceClient): Promise<ProjectInfo[]> {
  return (await client.request(Projects.type, {})).projects;
}

/** The innermost project whose directory holds the file (projects may nest). */
export function projectContaining(projects: ProjectInfo[], file: string | undefined): ProjectInfo | undefined {
  if (!file) return undefined;
  return projects
    .filter((p) => file.startsWith(p.dir + '/') || file.startsWith(p.dir + '\\'))
    .sort((a, b) => b.dir.length - a.dir.length)[0];
}

/** The only project, else the one the user picks (undefined when they dismiss the pick). */
export async function onlyOrPickedProject(projects: ProjectInfo[], placeHolder: string): Promise<ProjectInfo | undefined> {
  if (projects.length === 1) return projects[0];
  const picked = await vscode.window.showQuickPick(projects.map((project) => ({ label: project.name, description: project.dir, project })), { placeHolder });
  return picked?.project;
}
